/**
 * `github-user`: from a GitHub login to a Mattermost user, through `user-map`, then the GitHub
 * API (public profile email, then the emails GitHub attributes to the login on the event's commits).
 */
import type { MattermostUserRef, UserMap } from './config.js';
import { type EventPayload, isRecord, stringAt } from './context.js';
import { type GitHubClient, loadGitHubClient } from './github-client.js';
import { lookupLogin } from './user-map.js';

export type LoginResolution =
  | {
      login: string;
      outcome: 'found';
      user: MattermostUserRef;
      via: 'user-map' | 'github-profile' | 'commits';
    }
  | { login: string; outcome: 'bot' }
  /** `reason` is one line that names the login and how to fix it. */
  | { login: string; outcome: 'unresolved'; reason: string };

export interface ResolveOptions {
  userMap: UserMap;
  event: EventPayload;
  /** `owner/name` */
  repository: string;
  githubToken: string | undefined;
  /** `GITHUB_API_URL`, so GitHub Enterprise Server is asked, not github.com. */
  apiUrl: string;
  /** false in webhook mode: only user-map usernames work there. */
  apiMode: boolean;
  log: (line: string) => void;
  /** Milliseconds one GitHub API request may take; 30 s by default. */
  timeoutMs?: number;
}

/** Whose emails the event's commits can tell: a pull request's (asked of the API) or a push's. */
type CommitSource = { kind: 'pull-request'; number: number } | { kind: 'push' } | { kind: 'none' };

interface CommitAuthor {
  /** GitHub login, lower-cased; `undefined` when GitHub ties the commit to no account. */
  login: string | undefined;
  email: string;
}

const CONCURRENT_LOOKUPS = 4;
/** GitHub lists at most 250 commits of a pull request; stop there on any server. */
const MAX_PULL_COMMITS = 250;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Resolves each login, in the order given. No GitHub request is made for a login the map answers. */
export async function resolveGitHubLogins(
  logins: string[],
  options: ResolveOptions,
): Promise<LoginResolution[]> {
  const session = new LookupSession(options);
  const byLogin = new Map<string, Promise<LoginResolution>>();
  const resolutions: LoginResolution[] = new Array(logins.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < logins.length) {
      const index = next++;
      const login = logins[index] ?? '';
      const key = login.toLowerCase();
      let pending = byLogin.get(key);
      if (!pending) {
        pending = resolveLogin(login, session);
        byLogin.set(key, pending);
      }
      const resolution = await pending;
      resolutions[index] = { ...resolution, login };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_LOOKUPS, logins.length) }, worker));
  return resolutions;
}

async function resolveLogin(login: string, session: LookupSession): Promise<LoginResolution> {
  const { options } = session;
  const mapped = lookupLogin(options.userMap, login);
  if (mapped && (options.apiMode || mapped.kind === 'username')) {
    return { login, outcome: 'found', user: mapped, via: 'user-map' };
  }
  if (mapped) {
    return unresolved(
      login,
      `github-user ${login} maps to ${stringOf(mapped)} in user-map, and finding a user by email needs API mode: set server-url and token, or map ${login} to a Mattermost username.`,
    );
  }
  if (login.toLowerCase().endsWith('[bot]')) return skipBot(login, options.log);
  if (!options.apiMode) {
    return unresolved(
      login,
      `github-user ${login} is not in user-map, and webhook mode cannot look GitHub users up: add "${login}: <mattermost-username>" to user-map, or use API mode (server-url and token).`,
    );
  }
  if (!options.githubToken) {
    return unresolved(
      login,
      `github-user ${login} is not in user-map and there is no github-token to look them up with: set github-token, or add "${login}: <mattermost-username>" to user-map.`,
    );
  }
  try {
    return await resolveThroughGitHub(login, session);
  } catch (error) {
    if (!(error instanceof GitHubLookupError)) throw error;
    return unresolved(login, describeGitHubError(error, login, options.apiUrl));
  }
}

/** A failed GitHub request, with which of the two look-ups it was. */
class GitHubLookupError extends Error {
  constructor(
    readonly lookup: 'profile' | 'commits',
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

async function lookUp<T>(
  lookup: GitHubLookupError['lookup'],
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new GitHubLookupError(lookup, error);
  }
}

async function resolveThroughGitHub(
  login: string,
  session: LookupSession,
): Promise<LoginResolution> {
  const profile = await lookUp('profile', () => session.profile(login));
  if (profile.type === 'Bot') return skipBot(login, session.options.log);
  if (profile.email && isPersonalEmail(profile.email)) {
    return {
      login,
      outcome: 'found',
      user: { kind: 'email', email: profile.email },
      via: 'github-profile',
    };
  }
  const source = session.commitSource;
  if (source.kind === 'none') {
    return unresolved(
      login,
      `GitHub user ${login} has no public email, and only pull request and push events have commits to find one in: add "${login}: <mattermost-username>" to user-map.`,
    );
  }
  const email = mostFrequentEmail(await lookUp('commits', () => session.commitAuthors()), login);
  if (email) return { login, outcome: 'found', user: { kind: 'email', email }, via: 'commits' };
  const where = source.kind === 'push' ? 'in this push' : 'on this pull request';
  return unresolved(
    login,
    `GitHub user ${login} has no public email and no commits ${where} attribute an email to them: add "${login}: <mattermost-username>" to user-map.`,
  );
}

/** What the look-ups of one call share: one client, one fetch of the pull request's commits. */
class LookupSession {
  readonly commitSource: CommitSource;
  private client: Promise<GitHubClient> | undefined;
  private authors: Promise<CommitAuthor[]> | undefined;

  constructor(readonly options: ResolveOptions) {
    this.commitSource = commitSourceOf(options.event);
  }

  async profile(login: string): Promise<{ email: string | undefined; type: string }> {
    const github = await this.github();
    const { data } = await github.rest.users.getByUsername({
      username: login,
      request: this.request(),
    });
    return { email: data.email ?? undefined, type: data.type };
  }

  commitAuthors(): Promise<CommitAuthor[]> {
    this.authors ??= this.fetchCommitAuthors();
    return this.authors;
  }

  private async fetchCommitAuthors(): Promise<CommitAuthor[]> {
    const source = this.commitSource;
    if (source.kind === 'push') return pushCommitAuthors(this.options.event);
    if (source.kind === 'none') return [];
    const [owner = '', repo = ''] = this.options.repository.split('/');
    const github = await this.github();
    const authors: CommitAuthor[] = [];
    const pages = github.paginate.iterator(github.rest.pulls.listCommits, {
      owner,
      repo,
      pull_number: source.number,
      per_page: 100,
      request: this.request(),
    });
    for await (const page of pages) {
      for (const commit of page.data) {
        if (authors.length >= MAX_PULL_COMMITS) break;
        const email = commit.commit.author?.email;
        if (email) authors.push({ login: commit.author?.login?.toLowerCase(), email });
      }
      if (authors.length >= MAX_PULL_COMMITS) break;
    }
    return authors;
  }

  private github(): Promise<GitHubClient> {
    // Loaded here, not at the top: most runs (and every webhook-mode run) never ask GitHub.
    this.client ??= loadGitHubClient(this.options.githubToken, this.options.apiUrl);
    return this.client;
  }

  private request(): { signal: AbortSignal } {
    return { signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
  }
}

function commitSourceOf(event: EventPayload): CommitSource {
  const pullRequest = event.pull_request;
  if (isRecord(pullRequest)) {
    const number = typeof pullRequest.number === 'number' ? pullRequest.number : event.number;
    if (typeof number === 'number') return { kind: 'pull-request', number };
  }
  if (Array.isArray(event.commits)) return { kind: 'push' };
  return { kind: 'none' };
}

/** A push payload carries its commits (at most 20): no request needed. */
function pushCommitAuthors(event: EventPayload): CommitAuthor[] {
  const commits: unknown[] = Array.isArray(event.commits) ? event.commits : [];
  return commits.flatMap((commit) => {
    const email = stringAt(commit, 'author', 'email');
    const username = stringAt(commit, 'author', 'username');
    return email ? [{ login: username ? username.toLowerCase() : undefined, email }] : [];
  });
}

/** The email the login's commits use most (the first seen on a tie), leaving out no-reply addresses. */
function mostFrequentEmail(authors: CommitAuthor[], login: string): string | undefined {
  const wanted = login.toLowerCase();
  const counts = new Map<string, number>();
  for (const author of authors) {
    if (author.login !== wanted || !isPersonalEmail(author.email)) continue;
    const email = author.email.toLowerCase();
    counts.set(email, (counts.get(email) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [email, count] of counts) {
    if (count > bestCount) {
      best = email;
      bestCount = count;
    }
  }
  return best;
}

/** `123+jo@users.noreply.github.com`, `noreply@github.com` and the like reach nobody on Mattermost. */
function isPersonalEmail(email: string): boolean {
  return email.indexOf('@') > 0 && !/no-?reply/i.test(email);
}

function skipBot(login: string, log: (line: string) => void): LoginResolution {
  log(`github-user ${login} is a bot: no direct message is sent to it.`);
  return { login, outcome: 'bot' };
}

function unresolved(login: string, reason: string): LoginResolution {
  return { login, outcome: 'unresolved', reason };
}

function stringOf(ref: MattermostUserRef): string {
  return ref.kind === 'email' ? ref.email : `@${ref.username}`;
}

/** One line naming GitHub's answer and what to do; built from the answer, never from the request. */
function describeGitHubError(error: GitHubLookupError, login: string, apiUrl: string): string {
  const failure = error.cause;
  const status =
    isRecord(failure) && typeof failure.status === 'number' ? failure.status : undefined;
  const response = isRecord(failure) ? failure.response : undefined;
  if (status === undefined || !isRecord(response)) {
    const detail = error.message.split('\n')[0];
    return `Could not reach the GitHub API at ${apiUrl} to look up github-user ${login} (${detail}): check GITHUB_API_URL and the network.`;
  }
  const message = stringAt(response, 'data', 'message').split('\n')[0] ?? '';
  const answer = message ? `${status} ${message}` : String(status);
  const headers = isRecord(response.headers) ? response.headers : {};
  if (status === 401) {
    return `GitHub refused github-token (${answer}) looking up github-user ${login}: check the github-token input.`;
  }
  if (status === 429 || (status === 403 && headers['x-ratelimit-remaining'] === '0')) {
    return `GitHub API rate limit reached (${answer}) looking up github-user ${login}: retry later, or add "${login}: <mattermost-username>" to user-map.`;
  }
  if (error.lookup === 'profile' && status === 404) {
    return `GitHub user ${login} was not found (404): check the github-user entry.`;
  }
  if (error.lookup === 'commits' && (status === 403 || status === 404)) {
    return `GitHub refused to list the pull request's commits (${answer}) for github-user ${login}: give github-token read access to the repository (permissions: pull-requests: read), or add "${login}: <mattermost-username>" to user-map.`;
  }
  return `GitHub API answered ${answer} looking up github-user ${login}: add "${login}: <mattermost-username>" to user-map, or retry later.`;
}
