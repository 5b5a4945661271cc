/** The GitHub REST client, loaded only when a look-up needs it (its chunk is ~0.5 MiB). */
import type { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** `apiUrl` is `GITHUB_API_URL`, so GitHub Enterprise Server is asked, not github.com. */
export function loadGitHubClient(token: string | undefined, apiUrl: string): Promise<GitHubClient> {
  return import('@actions/github').then(({ getOctokit }) =>
    getOctokit(token ?? '', { baseUrl: apiUrl.replace(/\/+$/, '') }),
  );
}
