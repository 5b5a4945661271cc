/**
 * A local stand-in for the GitHub REST API, on 127.0.0.1, answered from fixtures a test sets and
 * shaped like GitHub's answers: the two endpoints `github-user` resolution asks, and the ones the
 * failure look-ups ask (a run attempt's jobs with their steps, a check run's annotations, a
 * workflow run, a workflow's runs), each of which can be made to refuse with 403.
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
  /** Milliseconds every answer is held back, to stand in for the network to api.github.com. */
  latencyMs?: number;
}

export interface StepFixture {
  name: string;
  /** `null` while the step has not finished. */
  conclusion: string | null;
  status?: 'queued' | 'in_progress' | 'completed';
}

export interface JobFixture {
  /** The job's id, which is also its check run's id; made up from the name when absent. */
  id?: number;
  /** As GitHub shows it, e.g. `test (ubuntu-latest, 20)` for a matrix job. */
  name: string;
  status?: 'queued' | 'in_progress' | 'completed' | 'waiting';
  /** `null` while the job runs; `success` by default for a completed job. */
  conclusion?: string | null;
  runnerName?: string | null;
  steps?: StepFixture[];
}

export interface AnnotationFixture {
  path: string;
  line: number;
  message: string;
  level?: 'notice' | 'warning' | 'failure';
  title?: string;
}

export interface WorkflowRunFixture {
  id: number;
  workflowId: number;
  branch: string;
  number: number;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: string | null;
  attempt?: number;
  name?: string;
  /** The event that triggered it; `push` by default. */
  event?: string;
  /** `owner/name` of the repository its head branch is in (a fork's, for a pull request from one). */
  headRepository?: string;
  /** Conclusions of the attempts before `attempt`, by attempt number. */
  earlierAttempts?: Record<number, string>;
}

/** The endpoints a test can make refuse, as a token without the permission would see them. */
export type FailureEndpoint = 'jobs' | 'annotations' | 'run' | 'workflow-runs';

const DEFAULT_TOKEN = 'test-github-token';

export class GitHubTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly token: string;
  url = '';
  private readonly users = new Map<string, GitHubUserFixture>();
  private readonly pullCommits = new Map<string, PullCommitFixture[]>();
  private rateLimited = false;
  private secondaryLimit: 403 | 429 | undefined;
  private readonly stalledPaths = new Map<string, number | undefined>();
  /** Paths of requests the client gave up on (closed the connection) before they were answered. */
  readonly abandoned: string[] = [];
  private readonly jobs = new Map<string, Record<string, unknown>[]>();
  private readonly annotations = new Map<string, AnnotationFixture[]>();
  private readonly runs = new Map<string, WorkflowRunFixture>();
  private readonly denied = new Map<FailureEndpoint, number>();
  private readonly latencyMs: number;
  private readonly server: Server;

  private constructor(options: GitHubTestServerOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.latencyMs = options.latencyMs ?? 0;
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

  /**
   * Every request is answered as GitHub answers one over a secondary rate limit: 403 or 429 with
   * `retry-after` and a message saying so, while the primary limit still has requests left
   * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
   */
  setSecondaryRateLimited(status: 403 | 429 | undefined): void {
    this.secondaryLimit = status;
  }

  /**
   * Requests for this path are read and left unanswered: for `ms` milliseconds, then answered as
   * usual, or without `ms` never (until `stop`).
   */
  stall(path: string, ms?: number): void {
    this.stalledPaths.set(path, ms);
  }

  /**
   * The jobs of one attempt of a run, in the order GitHub lists them. Returns their ids (also
   * their check runs' ids), for `setAnnotations`.
   */
  setRunJobs(repository: string, runId: number, attempt: number, jobs: JobFixture[]): number[] {
    const objects = jobs.map((job) => jobObject(repository, runId, attempt, job));
    this.jobs.set(`${repository}#${runId}/${attempt}`.toLowerCase(), objects);
    return objects.map((job) => job.id as number);
  }

  setAnnotations(repository: string, checkRunId: number, annotations: AnnotationFixture[]): void {
    this.annotations.set(`${repository}#${checkRunId}`.toLowerCase(), annotations);
  }

  addWorkflowRun(repository: string, run: WorkflowRunFixture): void {
    this.runs.set(`${repository}#${run.id}`.toLowerCase(), run);
  }

  /** Answer this endpoint with 403 "Resource not accessible by integration" (or the status given). */
  deny(endpoint: FailureEndpoint, status = 403): void {
    this.denied.set(endpoint, status);
  }

  /** Forget the fixtures and refusals of the failure endpoints, and any stalls. */
  resetRuns(): void {
    this.stalledPaths.clear();
    this.abandoned.length = 0;
    this.jobs.clear();
    this.annotations.clear();
    this.runs.clear();
    this.denied.clear();
  }

  /** The requests to the failure endpoints, as `GET /repos/...` lines. */
  failureRequests(): string[] {
    return this.requests
      .filter((r) => /\/actions\/|\/check-runs\//.test(r.path))
      .map((r) => `${r.method} ${r.path}`);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers },
    });
    response.on('close', () => {
      if (!response.writableEnded) this.abandoned.push(url.pathname);
    });
    const reply = this.replyTo(request, url);
    if (this.stalledPaths.has(url.pathname)) {
      const ms = this.stalledPaths.get(url.pathname);
      if (ms !== undefined) setTimeout(() => this.send(response, reply), ms).unref();
      return;
    }
    if (this.latencyMs > 0) {
      setTimeout(() => this.send(response, reply), this.latencyMs);
    } else {
      this.send(response, reply);
    }
  }

  private send(response: ServerResponse, reply: Reply): void {
    if (response.destroyed) return;
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
    if (this.secondaryLimit) {
      return {
        status: this.secondaryLimit,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(this.secondaryLimit),
        },
        headers: { 'retry-after': '60', 'x-ratelimit-remaining': '4990' },
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
    return this.failureReply(path, url) ?? NOT_FOUND;
  }

  /** The endpoints behind `failed_jobs`, `status: workflow` and `notify-on: change`. */
  private failureReply(path: string, url: URL): Reply | undefined {
    const match = /^\/repos\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    if (!match) return undefined;
    const repository = (match[1] ?? '').toLowerCase();
    const rest = match[2] ?? '';
    // https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt
    // (actions: read): `{total_count, jobs}`, jobs with their steps, paged by per_page and page.
    const attemptJobs = /^actions\/runs\/(\d+)\/attempts\/(\d+)\/jobs$/.exec(rest);
    // https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run
    // (`filter=latest`, the default: the latest attempt's jobs).
    const runJobs = /^actions\/runs\/(\d+)\/jobs$/.exec(rest);
    if (attemptJobs || runJobs) {
      if (this.denied.has('jobs')) return refused(this.denied.get('jobs'), 'workflow-jobs');
      const runId = (attemptJobs ?? runJobs)?.[1] ?? '';
      const attempt = attemptJobs?.[2] ?? String(this.latestAttempt(repository, runId));
      const jobs = this.jobs.get(`${repository}#${runId}/${attempt}`);
      if (!jobs) return NOT_FOUND;
      const { items, headers } = paged(url, jobs);
      return { status: 200, body: { total_count: jobs.length, jobs: items }, headers };
    }
    // https://docs.github.com/rest/checks/runs#list-check-run-annotations (checks: read): an
    // array of annotations, paged. A job's id is its check run's id.
    const annotations = /^check-runs\/(\d+)\/annotations$/.exec(rest);
    if (annotations) {
      if (this.denied.has('annotations')) {
        return refused(this.denied.get('annotations'), 'checks/runs');
      }
      const list = this.annotations.get(`${repository}#${annotations[1] ?? ''}`) ?? [];
      const { items, headers } = paged(url, list.map(annotationObject));
      return { status: 200, body: items, headers };
    }
    // https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run-attempt
    // (actions: read): the run as it was at that attempt's end.
    const runAttempt = /^actions\/runs\/(\d+)\/attempts\/(\d+)$/.exec(rest);
    if (runAttempt) {
      if (this.denied.has('run')) return refused(this.denied.get('run'), 'workflow-runs');
      const fixture = this.runs.get(`${repository}#${runAttempt[1] ?? ''}`);
      const attempt = Number(runAttempt[2]);
      if (!fixture) return NOT_FOUND;
      if (attempt === (fixture.attempt ?? 1)) {
        return { status: 200, body: runObject(repository, fixture) };
      }
      const conclusion = fixture.earlierAttempts?.[attempt];
      if (conclusion === undefined) return NOT_FOUND;
      const earlier = { ...fixture, attempt, status: 'completed' as const, conclusion };
      return { status: 200, body: runObject(repository, earlier) };
    }
    // https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run (actions: read)
    const run = /^actions\/runs\/(\d+)$/.exec(rest);
    if (run) {
      if (this.denied.has('run')) return refused(this.denied.get('run'), 'workflow-runs');
      const fixture = this.runs.get(`${repository}#${run[1] ?? ''}`);
      return fixture ? { status: 200, body: runObject(repository, fixture) } : NOT_FOUND;
    }
    // https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow
    // (actions: read): `{total_count, workflow_runs}`, newest first, filtered by branch, event
    // ("Returns workflow run triggered by the event you specify") and status, paged. A pull
    // request's runs have its head branch, from whichever repository it is in.
    const workflowRuns = /^actions\/workflows\/(\d+)\/runs$/.exec(rest);
    if (workflowRuns) {
      if (this.denied.has('workflow-runs')) {
        return refused(this.denied.get('workflow-runs'), 'workflow-runs');
      }
      const workflowId = Number(workflowRuns[1]);
      const branch = url.searchParams.get('branch');
      const status = url.searchParams.get('status');
      const event = url.searchParams.get('event');
      const matching = [...this.runs]
        .filter(([key]) => key.startsWith(`${repository}#`))
        .map(([, fixture]) => fixture)
        .filter(
          (r) =>
            r.workflowId === workflowId &&
            (branch === null || r.branch === branch) &&
            (event === null || (r.event ?? 'push') === event) &&
            (status === null || (r.status ?? 'completed') === status || r.conclusion === status),
        )
        .sort((a, b) => b.number - a.number);
      const { items, headers } = paged(
        url,
        matching.map((r) => runObject(repository, r)),
      );
      return { status: 200, body: { total_count: matching.length, workflow_runs: items }, headers };
    }
    return undefined;
  }

  private latestAttempt(repository: string, runId: string): number {
    let latest = 1;
    for (const key of this.jobs.keys()) {
      const slash = key.lastIndexOf('/');
      if (key.slice(0, slash) === `${repository}#${runId}`) {
        latest = Math.max(latest, Number(key.slice(slash + 1)));
      }
    }
    return latest;
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

/** What GitHub answers a token that lacks the permission an endpoint needs. */
function refused(status: number | undefined, docs: string): Reply {
  return {
    status: status ?? 403,
    body: {
      message: status === 404 ? 'Not Found' : 'Resource not accessible by integration',
      documentation_url: `https://docs.github.com/rest/actions/${docs}`,
      status: String(status ?? 403),
    },
  };
}

/** Pages like GitHub: `per_page` (default 30, at most 100), `page` from 1, and a `Link` header. */
function paged<T>(url: URL, all: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page')) || 30, 1), 100);
  const page = Math.max(Number(url.searchParams.get('page')) || 1, 1);
  const lastPage = Math.max(Math.ceil(all.length / perPage), 1);
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
  return {
    items: all.slice(first, first + perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}

/** A job as the jobs endpoints list it (the "job" schema of GitHub's REST API description). */
function jobObject(
  repository: string,
  runId: number,
  attempt: number,
  job: JobFixture,
): Record<string, unknown> {
  const id = job.id ?? idOf(`${repository}#${runId}/${attempt}:${job.name}`);
  const status = job.status ?? 'completed';
  const conclusion =
    job.conclusion !== undefined ? job.conclusion : status === 'completed' ? 'success' : null;
  return {
    id,
    run_id: runId,
    run_url: `https://api.github.com/repos/${repository}/actions/runs/${runId}`,
    run_attempt: attempt,
    node_id: `CR_${id}`,
    head_sha: '0123456789abcdef0123456789abcdef01234567',
    url: `https://api.github.com/repos/${repository}/actions/jobs/${id}`,
    html_url: `https://github.com/${repository}/actions/runs/${runId}/job/${id}`,
    status,
    conclusion,
    created_at: '2026-01-05T10:00:00Z',
    started_at: '2026-01-05T10:00:05Z',
    completed_at: status === 'completed' ? '2026-01-05T10:03:00Z' : null,
    name: job.name,
    steps: (job.steps ?? []).map((step, index) => ({
      name: step.name,
      status: step.status ?? (step.conclusion === null ? 'in_progress' : 'completed'),
      conclusion: step.conclusion,
      number: index + 1,
      started_at: '2026-01-05T10:00:06Z',
      completed_at: step.conclusion === null ? null : '2026-01-05T10:01:00Z',
    })),
    check_run_url: `https://api.github.com/repos/${repository}/check-runs/${id}`,
    labels: ['ubuntu-latest'],
    runner_id: status === 'queued' ? null : 7,
    runner_name:
      job.runnerName !== undefined
        ? job.runnerName
        : status === 'queued'
          ? null
          : `GitHub Actions ${id % 100}`,
    runner_group_id: 2,
    runner_group_name: 'GitHub Actions',
    workflow_name: 'CI',
    head_branch: 'main',
  };
}

/** A check run annotation (the "check-annotation" schema). */
function annotationObject(annotation: AnnotationFixture): Record<string, unknown> {
  return {
    path: annotation.path,
    start_line: annotation.line,
    end_line: annotation.line,
    start_column: null,
    end_column: null,
    annotation_level: annotation.level ?? 'failure',
    title: annotation.title ?? '',
    message: annotation.message,
    raw_details: null,
    blob_href: `https://github.com/octo-org/hello-world/blob/0123456/${annotation.path}`,
  };
}

/** A workflow run (the "workflow-run" schema, the fields the action reads and a few more). */
function runObject(repository: string, run: WorkflowRunFixture): Record<string, unknown> {
  const status = run.status ?? 'completed';
  return {
    id: run.id,
    name: run.name ?? 'CI',
    node_id: `WFR_${run.id}`,
    head_branch: run.branch,
    head_sha: '0123456789abcdef0123456789abcdef01234567',
    path: '.github/workflows/ci.yml',
    run_number: run.number,
    run_attempt: run.attempt ?? 1,
    event: run.event ?? 'push',
    status,
    conclusion:
      run.conclusion !== undefined ? run.conclusion : status === 'completed' ? 'success' : null,
    workflow_id: run.workflowId,
    repository: repositoryObject(repository),
    head_repository: repositoryObject(run.headRepository ?? repository),
    url: `https://api.github.com/repos/${repository}/actions/runs/${run.id}`,
    html_url: `https://github.com/${repository}/actions/runs/${run.id}`,
    jobs_url: `https://api.github.com/repos/${repository}/actions/runs/${run.id}/jobs`,
    created_at: '2026-01-05T10:00:00Z',
    updated_at: '2026-01-05T10:03:00Z',
  };
}

/** The "minimal-repository" fields a workflow run's `repository` and `head_repository` carry. */
function repositoryObject(fullName: string): Record<string, unknown> {
  const [owner = '', name = ''] = fullName.split('/');
  return {
    id: idOf(fullName),
    node_id: `R_${idOf(fullName)}`,
    name,
    full_name: fullName,
    owner: { login: owner, id: idOf(owner), type: 'Organization' },
    private: false,
    html_url: `https://github.com/${fullName}`,
    fork: false,
  };
}

function pullCommitsReply(url: URL, repository: string, commits: PullCommitFixture[]): Reply {
  const numbered = commits.map((commit, index) => commitObject(commit, index, repository));
  const { items, headers } = paged(url, numbered);
  return { status: 200, body: items, headers };
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
