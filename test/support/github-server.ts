/**
 * A local stand-in for the GitHub REST API: the two endpoints `github-user` resolution asks,
 * answered from fixtures a test sets, shaped like GitHub's answers, on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubUserFixture {
  login: string;
  /** The public profile email; absent or `null` when the user shows none. */
  email?: string | null;
  type?: 'User' | 'Bot' | 'Organization';
}

export interface PullCommitFixture {
  /** The commit's author email, as written in the commit. */
  email: string;
  /** The GitHub account GitHub attributes the commit to; `null` when none. */
  login: string | null;
  name?: string;
  sha?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

export interface GitHubTestServerOptions {
  /** The token requests must carry (`token x` or `Bearer x`); `test-github-token` by default. */
  token?: string;
}

const DEFAULT_TOKEN = 'test-github-token';

export class GitHubTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly token: string;
  url = '';
  private readonly users = new Map<string, GitHubUserFixture>();
  private readonly pullCommits = new Map<string, PullCommitFixture[]>();
  private rateLimited = false;
  private readonly stalledPaths = new Set<string>();
  private readonly server: Server;

  private constructor(options: GitHubTestServerOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.server = createServer((request, response) => this.handle(request, response));
  }

  static async start(options: GitHubTestServerOptions = {}): Promise<GitHubTestServer> {
    const github = new GitHubTestServer(options);
    await new Promise<void>((resolve, reject) => {
      github.server.once('error', reject);
      github.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = github.server.address() as AddressInfo;
    github.url = `http://127.0.0.1:${port}`;
    return github;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  addUser(user: GitHubUserFixture): void {
    this.users.set(user.login.toLowerCase(), user);
  }

  setPullCommits(owner: string, repo: string, number: number, commits: PullCommitFixture[]): void {
    this.pullCommits.set(pullKey(owner, repo, number), commits);
  }

  /** Every request is answered 403 with `x-ratelimit-remaining: 0`, as GitHub does at the limit. */
  setRateLimited(limited: boolean): void {
    this.rateLimited = limited;
  }

  /** Requests for this path are read and never answered (until `stop`). */
  stall(path: string): void {
    this.stalledPaths.add(path);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers },
    });
    if (this.stalledPaths.has(url.pathname)) return;
    const reply = this.replyTo(request, url);
    response.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': 'F00D:1234:5678:9ABC:DEF0',
      ...reply.headers,
    });
    response.end(JSON.stringify(reply.body));
  }

  private replyTo(request: IncomingMessage, url: URL): Reply {
    if (!this.isAuthorized(request.headers.authorization)) {
      return {
        status: 401,
        body: {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        },
      };
    }
    if (this.rateLimited) {
      return {
        status: 403,
        body: {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: '403',
        },
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        },
      };
    }
    if (request.method !== 'GET') return NOT_FOUND;
    // GitHub Enterprise Server serves the same API under /api/v3.
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const user = /^\/users\/([^/]+)$/.exec(path);
    if (user) return this.userReply(decodeURIComponent(user[1] ?? ''));
    const pull = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/commits$/.exec(path);
    if (pull) {
      const [, owner = '', repo = '', number = ''] = pull;
      const commits = this.pullCommits.get(pullKey(owner, repo, Number(number)));
      return commits ? pullCommitsReply(url, `${owner}/${repo}`, commits) : NOT_FOUND;
    }
    return NOT_FOUND;
  }

  private isAuthorized(header: string | undefined): boolean {
    return header === `token ${this.token}` || header === `Bearer ${this.token}`;
  }

  private userReply(login: string): Reply {
    const user = this.users.get(login.toLowerCase());
    if (!user) return NOT_FOUND;
    return {
      status: 200,
      body: {
        login: user.login,
        id: idOf(user.login),
        node_id: `U_${idOf(user.login)}`,
        html_url: `https://github.com/${user.login}`,
        type: user.type ?? 'User',
        site_admin: false,
        name: user.login,
        company: null,
        blog: '',
        location: null,
        email: user.email ?? null,
        hireable: null,
        bio: null,
        public_repos: 1,
        followers: 0,
        following: 0,
        created_at: '2019-05-15T15:19:25Z',
        updated_at: '2019-05-15T15:19:25Z',
      },
    };
  }
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const NOT_FOUND: Reply = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
};

/** Pages like GitHub: `per_page` (default 30, at most 100), `page` from 1, and a `Link` header. */
function pullCommitsReply(url: URL, repository: string, commits: PullCommitFixture[]): Reply {
  const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page')) || 30, 1), 100);
  const page = Math.max(Number(url.searchParams.get('page')) || 1, 1);
  const lastPage = Math.max(Math.ceil(commits.length / perPage), 1);
  const pageUrl = (n: number) => {
    const link = new URL(url);
    link.searchParams.set('per_page', String(perPage));
    link.searchParams.set('page', String(n));
    return link.toString();
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${pageUrl(page - 1)}>; rel="prev"`, `<${pageUrl(1)}>; rel="first"`);
  if (page < lastPage)
    links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`);
  const first = (page - 1) * perPage;
  const body = commits
    .slice(first, first + perPage)
    .map((commit, i) => commitObject(commit, first + i, repository));
  return { status: 200, body, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

function commitObject(
  fixture: PullCommitFixture,
  index: number,
  repository: string,
): Record<string, unknown> {
  const sha = fixture.sha ?? createHash('sha1').update(`${repository}:${index}`).digest('hex');
  const person = {
    name: fixture.name ?? fixture.login ?? 'Someone',
    email: fixture.email,
    date: '2019-05-15T15:20:30Z',
  };
  const account =
    fixture.login === null ? null : { login: fixture.login, id: idOf(fixture.login), type: 'User' };
  return {
    sha,
    node_id: `C_${sha}`,
    commit: { author: person, committer: person, message: `Commit ${index + 1}`, comment_count: 0 },
    url: `https://api.github.com/repos/${repository}/commits/${sha}`,
    html_url: `https://github.com/${repository}/commit/${sha}`,
    author: account,
    committer: account,
    parents: [],
  };
}

function pullKey(owner: string, repo: string, number: number): string {
  return `${owner}/${repo}#${number}`.toLowerCase();
}

function idOf(login: string): number {
  return Number.parseInt(
    createHash('sha1').update(login.toLowerCase()).digest('hex').slice(0, 7),
    16,
  );
}
