/**
 * The GitHub REST client of the failure look-ups, loaded only when a look-up is needed, and the
 * one place that tells a refused look-up (a permission the token lacks) from other failures.
 */
import type { getOctokit } from '@actions/github';
import { isRecord } from '../context.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The `permissions:` entry each look-up needs. */
export type Permission = 'actions: read' | 'checks: read';

export interface GitHubAccessOptions {
  token: string | undefined;
  /** `GITHUB_API_URL`, so GitHub Enterprise Server is asked, not github.com. */
  apiUrl: string;
  /** `owner/name` */
  repository: string;
  timeoutMs: number;
}

export interface GitHubAccess {
  owner: string;
  repo: string;
  client(): Promise<GitHubClient>;
  /** Per-request options: a timeout. */
  request(): { signal: AbortSignal };
}

export function githubAccess(options: GitHubAccessOptions): GitHubAccess {
  const [owner = '', repo = ''] = options.repository.split('/');
  let client: Promise<GitHubClient> | undefined;
  return {
    owner,
    repo,
    client() {
      // Loaded here, not at the top: a run that needs no look-up never loads the client.
      client ??= import('@actions/github').then(({ getOctokit }) =>
        getOctokit(options.token ?? '', { baseUrl: options.apiUrl.replace(/\/+$/, '') }),
      );
      return client;
    },
    request: () => ({ signal: AbortSignal.timeout(options.timeoutMs) }),
  };
}

/** A look-up GitHub answered 403 or 404: the token may not read it (or, for 404, see it). */
export class LookupDenied extends Error {
  constructor(
    readonly what: string,
    readonly permission: Permission,
    readonly status: number,
  ) {
    super(`${what}: ${status}`);
  }
}

/** Any other failed look-up, with GitHub's answer or the network error in one line. */
export class LookupFailed extends Error {
  constructor(
    readonly what: string,
    detail: string,
  ) {
    super(`${what} (${detail})`);
  }
}

/** Runs one look-up, turning its failure into `LookupDenied` or `LookupFailed`. */
export async function lookUp<T>(
  what: string,
  permission: Permission,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const record = isRecord(error) ? error : {};
    const status = typeof record.status === 'number' ? record.status : undefined;
    if (status === 403 && !isRateLimited(record)) throw new LookupDenied(what, permission, status);
    if (status === 404) throw new LookupDenied(what, permission, status);
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new LookupFailed(what, status === undefined ? `${message}` : `${status} ${message}`);
  }
}

function isRateLimited(error: Record<string, unknown>): boolean {
  const response = error.response;
  const headers = isRecord(response) && isRecord(response.headers) ? response.headers : {};
  return headers['x-ratelimit-remaining'] === '0';
}
