/**
 * The GitHub REST client of the failure look-ups, loaded only when a look-up is needed, and the
 * one place that tells a refused look-up (a permission the token lacks) from other failures.
 */
import { isRecord } from '../context.js';
import { type GitHubClient, loadGitHubClient } from '../github-client.js';

export type { GitHubClient };

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
  /** Per-request options: a timeout, and the abort of look-ups no longer needed. */
  request(): { signal: AbortSignal };
  /** The same access, whose requests `signal` also aborts. */
  abortedBy(signal: AbortSignal): GitHubAccess;
}

export function githubAccess(options: GitHubAccessOptions): GitHubAccess {
  const [owner = '', repo = ''] = options.repository.split('/');
  let client: Promise<GitHubClient> | undefined;
  const loadClient = () => {
    // Loaded here, not at the top: a run that needs no look-up never loads the client.
    client ??= loadGitHubClient(options.token, options.apiUrl);
    return client;
  };
  const access = (signals: AbortSignal[]): GitHubAccess => ({
    owner,
    repo,
    client: loadClient,
    request: () => ({
      signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...signals]),
    }),
    abortedBy: (signal) => access([...signals, signal]),
  });
  return access([]);
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

/**
 * GitHub answers a rate limit with 403 as well as 429: the primary limit with
 * `x-ratelimit-remaining: 0`, a secondary limit with `retry-after` and a message saying so
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
 * Neither is a missing permission.
 */
function isRateLimited(error: Record<string, unknown>): boolean {
  const response = error.response;
  const headers = isRecord(response) && isRecord(response.headers) ? response.headers : {};
  if (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined) return true;
  const data = isRecord(response) && isRecord(response.data) ? response.data : {};
  const message = typeof data.message === 'string' ? data.message : String(error.message ?? '');
  return /rate limit/i.test(message);
}
