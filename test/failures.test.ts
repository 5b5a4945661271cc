/**
 * What failed, `status: workflow`, `notify-on` and `mention-on-failure`, end to end: the action
 * runs as the runner runs it, asks the GitHub stand-in for the run's jobs, annotations and earlier
 * runs, and posts to the Mattermost test server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ActionOptions, runAction } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { type GitHubTestServer as GitHub, GitHubTestServer } from './support/github-server.js';
import { MattermostTestServer } from './support/mattermost-server.js';
import { findMentions, linkTargets } from './template-helpers.js';

const REPO = 'octo-org/hello-world';
const RUN_ID = 1234567890;
const WORKFLOW_ID = 161335;
const RUNNER = 'GitHub Actions 1000';

let mattermost: MattermostTestServer;
let github: GitHub;
let token: string;
let channelId: string;
let hookUrl: string;

beforeAll(async () => {
  mattermost = await MattermostTestServer.start();
  github = await GitHubTestServer.start();
  mattermost.addTeam({ name: 'dev' });
  const bot = mattermost.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  for (const [name, email] of [
    ['octo', 'octo@example.com'],
    ['author-mm', 'author@example.com'],
  ] as const) {
    mattermost.addUser({ username: name, email, teams: ['dev'] });
  }
  channelId = mattermost.addChannel({ team: 'dev', name: 'builds', members: [bot.user.id] }).id;
  hookUrl = mattermost.addIncomingWebhook({ channel: channelId, creator: bot.user.id }).url;
});

afterAll(async () => {
  await mattermost.stop();
  await github.stop();
});

beforeEach(() => {
  mattermost.clearLog();
  github.requests.length = 0;
  github.resetRuns();
});

function run(inputs: Record<string, string>, options: Partial<ActionOptions> = {}) {
  return runAction({
    ...options,
    inputs: {
      'server-url': mattermost.url,
      token,
      channel: 'dev/builds',
      'github-token': github.token,
      ...inputs,
    },
    env: { GITHUB_API_URL: github.url, RUNNER_NAME: RUNNER, ...options.env },
  });
}

const lastMessage = () => mattermost.posts({ channel_id: channelId }).at(-1)?.message ?? '';
const jobUrl = (id: number) => `https://github.com/${REPO}/actions/runs/${RUN_ID}/job/${id}`;

/** The usual shape: a build, a two-way test matrix, and this step's own job still running. */
function matrixRun(attempt = 1): number[] {
  return github.setRunJobs(REPO, RUN_ID, attempt, [
    { name: 'build', steps: [{ name: 'Set up job', conclusion: 'success' }] },
    {
      name: 'test (ubuntu-latest, 20)',
      conclusion: 'failure',
      steps: [
        { name: 'Set up job', conclusion: 'success' },
        { name: 'Install', conclusion: 'success' },
        { name: 'Run tests', conclusion: 'failure' },
        { name: 'Upload report', conclusion: 'skipped' },
      ],
    },
    {
      name: 'test (windows-latest, 22)',
      conclusion: 'failure',
      steps: [
        { name: 'Set up job', conclusion: 'success' },
        { name: 'Lint', conclusion: 'failure' },
      ],
    },
    {
      name: 'notify',
      status: 'in_progress',
      runnerName: RUNNER,
      steps: [{ name: 'Set up job', conclusion: 'success' }],
    },
  ]);
}

describe('what failed', () => {
  it('names each failed job (matrix names as GitHub shows them) and its failed step, linked to the log', async () => {
    const [, ubuntu = 0, windows = 0] = matrixRun();
    github.setAnnotations(REPO, ubuntu, [
      { path: '.github', line: 1, message: 'Process completed with exit code 1.' },
      { path: 'src/math.test.ts', line: 12, message: 'expected 3 to be 4\n  at math.test.ts:12' },
      { path: 'src/style.css', line: 3, message: 'just a warning', level: 'warning' },
      { path: 'src/io.test.ts', line: 40, message: 'timeout after 5000 ms' },
      { path: 'src/a.test.ts', line: 1, message: 'third' },
      { path: 'src/b.test.ts', line: 2, message: 'fourth' },
    ]);
    const result = await run({ status: 'failure' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const message = lastMessage();
    expect(message).toContain(
      `- [test (ubuntu-latest, 20)](${jobUrl(ubuntu)}) failed at [Run tests](${jobUrl(ubuntu)}#step:3:1)`,
    );
    expect(message).toContain(
      `- [test (windows-latest, 22)](${jobUrl(windows)}) failed at [Lint](${jobUrl(windows)}#step:2:1)`,
    );
    expect(message).toContain('  - `src/math.test.ts:12` expected 3 to be 4\n');
    expect(message).toContain('  - `src/io.test.ts:40` timeout after 5000 ms');
    expect(message).toContain('  - … and 1 more');
    expect(message).not.toContain('just a warning');
    expect(message).not.toContain('Process completed');
    expect(message).not.toMatch(/\[build\]|\[notify\]/);
    // The event's own lines start a paragraph of their own after the list.
    expect(message).toMatch(/\n\n:arrow_up:|\n\n:sparkles:|\n\n:gear:/);
    expect(github.failureRequests().sort()).toEqual(
      [
        `GET /repos/${REPO}/actions/runs/${RUN_ID}/attempts/1/jobs`,
        `GET /repos/${REPO}/check-runs/${ubuntu}/annotations`,
        `GET /repos/${REPO}/check-runs/${windows}/annotations`,
      ].sort(),
    );
  });

  it('gives templates failed_jobs', async () => {
    const [, ubuntu = 0, windows = 0] = matrixRun();
    github.setAnnotations(REPO, ubuntu, [
      { path: 'src/math.test.ts', line: 12, message: 'expected 3 to be 4' },
    ]);
    const result = await run({
      status: 'failure',
      message:
        '{{ failed_jobs | size }}:{% for job in failed_jobs %} {{ job.name }}|{{ job.step }}|{{ job.conclusion }}|{{ job.url }}{% for a in job.annotations %}|{{ a.path }}:{{ a.line }} {{ a.message }}{% endfor %};{% endfor %}',
    });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toBe(
      `2: test (ubuntu-latest, 20)|Run tests|failure|${jobUrl(ubuntu)}|src/math.test.ts:12 expected 3 to be 4; test (windows-latest, 22)|Lint|failure|${jobUrl(windows)};`,
    );
  });

  it('gives templates an empty failed_jobs when nothing failed, and asks GitHub nothing', async () => {
    const result = await run({
      status: 'success',
      message: '[{{ failed_jobs | size }}]{% for job in failed_jobs %}x{% endfor %}',
    });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toBe('[0]');
    expect(github.requests).toEqual([]);
  });

  it('escapes job names, steps and annotations like any event text', async () => {
    const [id = 0] = github.setRunJobs(REPO, RUN_ID, 1, [
      {
        name: 'test @channel [x](https://evil.example)',
        conclusion: 'failure',
        steps: [{ name: 'Run *bold* <!here>', conclusion: 'failure' }],
      },
    ]);
    github.setAnnotations(REPO, id, [
      {
        path: 'src/`x`.ts',
        line: 7,
        message: 'boom @all {{ github.token }} ![img](https://evil.example/a.png)',
      },
    ]);
    const result = await run({ status: 'failure' });
    expect(result.exitCode).toBe(0);
    const message = lastMessage();
    expect(findMentions(message)).toEqual([]);
    expect(linkTargets(message).filter((url) => url.includes('evil'))).toEqual([]);
    expect(message).not.toContain('<!here>');
    expect(message).toContain('{{ github.token }}');
    expect(message).toContain('Run \\*bold\\*');
  });

  it('pages through the jobs, and stops listing after five failed jobs', async () => {
    const jobs = Array.from({ length: 104 }, (_, i) => ({ name: `ok ${i}` }));
    const failed = Array.from({ length: 7 }, (_, i) => ({
      name: `shard ${i + 1}`,
      conclusion: 'failure',
      steps: [{ name: 'Test', conclusion: 'failure' }],
    }));
    github.setRunJobs(REPO, RUN_ID, 1, [...jobs, ...failed]);
    const result = await run({ status: 'failure' });
    expect(result.exitCode).toBe(0);
    const message = lastMessage();
    expect(message).toContain('[shard 1]');
    expect(message).toContain('[shard 5]');
    expect(message).not.toContain('[shard 6]');
    expect(message).toContain('- … and 2 more failed jobs');
    const requests = github.failureRequests();
    expect(requests.filter((r) => r.endsWith('/jobs'))).toHaveLength(2);
    expect(requests.filter((r) => r.endsWith('/annotations'))).toHaveLength(5);
  });

  it('reads the jobs of this attempt on a re-run', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      { name: 'lint', conclusion: 'failure', steps: [{ name: 'Lint', conclusion: 'failure' }] },
    ]);
    github.setRunJobs(REPO, RUN_ID, 2, [
      { name: 'lint', steps: [{ name: 'Lint', conclusion: 'success' }] },
      {
        name: 'e2e',
        conclusion: 'failure',
        steps: [{ name: 'Playwright', conclusion: 'failure' }],
      },
    ]);
    const result = await run({ status: 'failure' }, { env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toContain('[e2e]');
    expect(lastMessage()).toContain('failed at [Playwright]');
    expect(lastMessage()).not.toContain('[lint]');
    expect(github.failureRequests()[0]).toBe(
      `GET /repos/${REPO}/actions/runs/${RUN_ID}/attempts/2/jobs`,
    );
  });

  it("reads the latest attempt's jobs when the attempt is not known", async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [{ name: 'old', conclusion: 'failure' }]);
    github.setRunJobs(REPO, RUN_ID, 2, [{ name: 'new', conclusion: 'failure' }]);
    const result = await run({ status: 'failure' }, { env: { GITHUB_RUN_ATTEMPT: '' } });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toContain('- [new](');
    expect(lastMessage()).toContain(') failed\n');
    expect(github.failureRequests()[0]).toBe(`GET /repos/${REPO}/actions/runs/${RUN_ID}/jobs`);
    expect(github.requests[0]?.query).toMatchObject({ filter: 'latest' });
  });

  it('names this job when its own step failed (a single-job workflow)', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      {
        name: 'build',
        status: 'in_progress',
        runnerName: RUNNER,
        steps: [
          { name: 'Compile', conclusion: 'failure' },
          { name: 'Notify', conclusion: null },
        ],
      },
    ]);
    const result = await run({ status: 'failure' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toContain('failed at [Compile]');
  });
});

describe('status: workflow', () => {
  it('reports the whole run from the other jobs, not this one', async () => {
    matrixRun();
    const result = await run({ status: 'workflow' });
    expect(result.exitCode).toBe(0);
    const post = mattermost.posts({ channel_id: channelId }).at(-1);
    expect(post?.message).toMatch(/^:x: \*\*Failed\*\*/);
    expect(post?.message).toContain('[test (ubuntu-latest, 20)]');
    expect(JSON.stringify(post?.props)).toContain('"color":"danger"');
  });

  it('is cancelled when a job was cancelled and none failed', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      { name: 'build' },
      { name: 'deploy', conclusion: 'cancelled' },
      { name: 'notify', status: 'in_progress', runnerName: RUNNER },
    ]);
    const result = await run({ status: 'workflow', message: 'status={{ job.status }}' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toBe('status=cancelled');
  });

  it('is success when the others passed, whatever this job and jobs still queued show', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      { name: 'build' },
      { name: 'skipped docs', conclusion: 'skipped' },
      { name: 'later', status: 'queued' },
      {
        name: 'notify',
        status: 'in_progress',
        runnerName: RUNNER,
        steps: [{ name: 'Flaky probe', conclusion: 'failure' }],
      },
    ]);
    const result = await run({ status: 'workflow', message: 'status={{ job.status }}' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toBe('status=success');
    expect(github.failureRequests()).toEqual([
      `GET /repos/${REPO}/actions/runs/${RUN_ID}/attempts/1/jobs`,
    ]);
  });

  it('with notify-on: failure, stays silent when the run is green', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      { name: 'build' },
      { name: 'notify', status: 'in_progress' },
    ]);
    const result = await run(
      { status: 'workflow', 'notify-on': 'failure' },
      { env: { RUNNER_NAME: '' } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(mattermost.requests).toEqual([]);
  });

  it('counts a job still running on another runner whose step already failed', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      {
        name: 'slow tests',
        status: 'in_progress',
        runnerName: 'GitHub Actions 7',
        steps: [{ name: 'Unit', conclusion: 'failure' }],
      },
      { name: 'notify', status: 'in_progress', runnerName: RUNNER },
    ]);
    const result = await run({ status: 'workflow', message: 'status={{ job.status }}' });
    expect(lastMessage()).toBe('status=failure');
    expect(result.exitCode).toBe(0);
  });
});

/** The run being reported (#42) and, when given, the one before it on main (#41). */
function history(previous: (string | null)[]): void {
  github.addWorkflowRun(REPO, {
    id: RUN_ID,
    workflowId: WORKFLOW_ID,
    branch: 'main',
    number: 42,
    status: 'in_progress',
  });
  previous.forEach((conclusion, index) => {
    github.addWorkflowRun(REPO, {
      id: RUN_ID - 1 - index,
      workflowId: WORKFLOW_ID,
      branch: 'main',
      number: 41 - index,
      conclusion,
    });
  });
  // Another branch's runs say nothing about main.
  github.addWorkflowRun(REPO, {
    id: RUN_ID + 5,
    workflowId: WORKFLOW_ID,
    branch: 'feature',
    number: 40,
    conclusion: 'failure',
  });
}

describe('notify-on: change', () => {
  it('stays silent while it stays green', async () => {
    history(['success']);
    const result = await run({ status: 'success', 'notify-on': 'change' });
    expect(result.exitCode).toBe(0);
    expect(mattermost.requests).toEqual([]);
    expect(result.posts).toEqual([
      expect.objectContaining({ destination: 'dev/builds', status: 'skipped' }),
    ]);
    expect(result.log).toContain(
      'Not posting: notify-on is change and the workflow is still passing on the branch (run #41 succeeded too).',
    );
    expect(result.summary).toContain('not sent');
    expect(github.failureRequests()).toEqual([
      `GET /repos/${REPO}/actions/runs/${RUN_ID}`,
      `GET /repos/${REPO}/actions/workflows/${WORKFLOW_ID}/runs`,
    ]);
    const list = github.requests.at(-1);
    expect(list?.query).toMatchObject({ branch: 'main', event: 'push', status: 'completed' });
  });

  it("does not take a fork's pull request run from its own main for the branch's history", async () => {
    history(['success']);
    // Run #41 is a fork's pull request from a branch also named main, and it failed; #40 pushed to main.
    github.addWorkflowRun(REPO, {
      id: RUN_ID - 1,
      workflowId: WORKFLOW_ID,
      branch: 'main',
      number: 41,
      conclusion: 'failure',
      event: 'pull_request',
      headRepository: 'someone/hello-world',
    });
    github.addWorkflowRun(REPO, {
      id: RUN_ID - 2,
      workflowId: WORKFLOW_ID,
      branch: 'main',
      number: 40,
      conclusion: 'success',
    });
    const push = await run({ status: 'success', 'notify-on': 'change' });
    expect(push.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(push.log).toContain('still passing on the branch (run #40 succeeded too)');
    // Even asked for pull_request runs, the fork's is not this repository's main.
    github.resetRuns();
    history([]);
    github.addWorkflowRun(REPO, {
      id: RUN_ID - 1,
      workflowId: WORKFLOW_ID,
      branch: 'main',
      number: 41,
      conclusion: 'failure',
      event: 'pull_request',
      headRepository: 'someone/hello-world',
    });
    const pull = await run(
      { status: 'success', 'notify-on': 'change' },
      { env: { GITHUB_EVENT_NAME: 'pull_request' } },
    );
    expect(github.requests.at(-1)?.query).toMatchObject({ event: 'pull_request' });
    expect(pull.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(pull.log).toContain('this first run of the workflow on the branch succeeded');
  });

  it('compares a re-run with its own earlier attempt first: fixed after attempt 1 broke', async () => {
    history(['success']);
    github.addWorkflowRun(REPO, {
      id: RUN_ID,
      workflowId: WORKFLOW_ID,
      branch: 'main',
      number: 42,
      status: 'in_progress',
      attempt: 3,
      earlierAttempts: { 1: 'failure', 2: 'cancelled' },
    });
    const result = await run(
      { status: 'success', 'notify-on': 'change' },
      { env: { GITHUB_RUN_ATTEMPT: '3' } },
    );
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toMatch(/^:white_check_mark: \*\*Fixed\*\*: \[CI #42\]/);
    expect(github.failureRequests()).toEqual([
      `GET /repos/${REPO}/actions/runs/${RUN_ID}/attempts/2`,
      `GET /repos/${REPO}/actions/runs/${RUN_ID}/attempts/1`,
    ]);
  });

  it('stays silent when a re-run fails as its first attempt did', async () => {
    history(['success']);
    github.addWorkflowRun(REPO, {
      id: RUN_ID,
      workflowId: WORKFLOW_ID,
      branch: 'main',
      number: 42,
      status: 'in_progress',
      attempt: 2,
      earlierAttempts: { 1: 'failure' },
    });
    matrixRun(2);
    const result = await run(
      { status: 'failure', 'notify-on': 'change' },
      { env: { GITHUB_RUN_ATTEMPT: '2' } },
    );
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(result.log).toContain('still failing on the branch (run #42 attempt 1 failed too)');
  });

  it('says the run broke when it turns red', async () => {
    history(['success']);
    matrixRun();
    const result = await run({ status: 'failure', 'notify-on': 'change' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toMatch(/^:x: \*\*Broke\*\*: \[CI #42\]/);
    expect(lastMessage()).toContain('[test (ubuntu-latest, 20)]');
  });

  it('stays silent while it stays red, and fetches no annotations', async () => {
    history(['failure']);
    matrixRun();
    const result = await run({ status: 'failure', 'notify-on': 'change' });
    expect(result.exitCode).toBe(0);
    expect(mattermost.requests).toEqual([]);
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(result.log).toContain('still failing on the branch (run #41 failed too)');
    expect(github.failureRequests().filter((r) => r.endsWith('/annotations'))).toEqual([]);
  });

  it('says it is fixed when it turns green, looking past cancelled runs', async () => {
    history(['cancelled', 'failure']);
    const result = await run({ status: 'success', 'notify-on': 'change' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toMatch(/^:white_check_mark: \*\*Fixed\*\*: \[CI #42\]/);
  });

  it('counts a first run as a change only when it failed', async () => {
    history([]);
    const green = await run({ status: 'success', 'notify-on': 'change' });
    expect(green.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(green.log).toContain('this first run of the workflow on the branch succeeded');
    expect(mattermost.requests).toEqual([]);
    const red = await run({ status: 'failure', 'notify-on': 'change' });
    expect(red.posts.map((p) => p.status)).toEqual(['sent']);
    expect(lastMessage()).toMatch(/^:x: \*\*Broke\*\*/);
  });

  it('gives up the previous-run look-up once the run turns out cancelled', async () => {
    github.setRunJobs(REPO, RUN_ID, 1, [
      { name: 'build', conclusion: 'cancelled' },
      { name: 'notify', status: 'in_progress', runnerName: RUNNER },
    ]);
    const stalled = `/repos/${REPO}/actions/runs/${RUN_ID}`;
    github.stall(stalled, 20_000);
    const result = await run({ status: 'workflow', 'notify-on': 'change' });
    expect(result.exitCode).toBe(0);
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(result.notices).toEqual([]);
    // Aborted, not left to the 30 s timeout (nor to the stand-in's 20 s): the test's own limit is 10 s.
    await vi.waitFor(() => expect(github.abandoned).toEqual([stalled]), { timeout: 9_000 });
  }, 10_000);

  it('does not post a cancelled run', async () => {
    const result = await run({ status: 'cancelled', 'notify-on': 'change' });
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(github.requests).toEqual([]);
  });

  it('compares a workflow_run event with the run before it, and lists its failed jobs', async () => {
    const event = structuredClone(exampleOf('workflow_run', 'completed')) as {
      workflow_run: Record<string, unknown>;
      repository: { full_name: string };
    };
    const repo = event.repository.full_name;
    const runId = event.workflow_run.id as number;
    Object.assign(event.workflow_run, {
      conclusion: 'failure',
      run_attempt: 3,
      head_branch: 'main',
    });
    const workflowId = event.workflow_run.workflow_id as number;
    // Its earlier attempts were cancelled, so they tell nothing: the run before it decides.
    github.addWorkflowRun(repo, {
      id: runId,
      workflowId,
      branch: 'main',
      number: event.workflow_run.run_number as number,
      conclusion: 'failure',
      attempt: 3,
      earlierAttempts: { 1: 'cancelled', 2: 'cancelled' },
    });
    // The run before it: same workflow, branch, event and head repository as the event's run.
    github.addWorkflowRun(repo, {
      id: runId - 10,
      workflowId,
      branch: 'main',
      number: (event.workflow_run.run_number as number) - 1,
      conclusion: 'success',
      event: event.workflow_run.event as string,
      headRepository: (event.workflow_run.head_repository as { full_name: string }).full_name,
    });
    const [id = 0] = github.setRunJobs(repo, runId, 3, [
      {
        name: 'deploy',
        conclusion: 'failure',
        steps: [{ name: 'Push image', conclusion: 'failure' }],
      },
    ]);
    github.setAnnotations(repo, id, [{ path: 'Dockerfile', line: 9, message: 'denied: push' }]);
    const result = await run({ 'notify-on': 'change' }, { eventName: 'workflow_run', event });
    expect(result.errors).toEqual([]);
    expect(result.notices).toEqual([]);
    expect(result.exitCode).toBe(0);
    const message = lastMessage();
    expect(message).toMatch(/^:x: Workflow .* broke on `main`/);
    expect(message).toContain('failed at [Push image]');
    expect(message).toContain('`Dockerfile:9` denied: push');
    expect(github.failureRequests()).toContain(
      `GET /repos/${repo}/actions/runs/${runId}/attempts/3/jobs`,
    );
    expect(message).not.toContain('**Failed**');
    // The event carries the workflow and branch: no need to ask for the run.
    expect(github.failureRequests()).not.toContain(`GET /repos/${repo}/actions/runs/${runId}`);
  });
});

describe('a workflow_run event', () => {
  const completed = (conclusion: string) => {
    const event = structuredClone(exampleOf('workflow_run', 'completed')) as {
      workflow_run: Record<string, unknown>;
      repository: { full_name: string };
    };
    Object.assign(event.workflow_run, { conclusion, status: 'completed' });
    return event;
  };

  it('keeps the status line of the notifying job', async () => {
    const event = completed('success');
    const result = await run(
      { status: 'success', 'notify-on': 'failure' },
      { eventName: 'workflow_run', event },
    );
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    const failed = completed('failure');
    const posted = await run({ status: 'success' }, { eventName: 'workflow_run', event: failed });
    expect(posted.exitCode).toBe(0);
    expect(lastMessage()).toMatch(/^:white_check_mark: \*\*Succeeded\*\*: \[CI #42\]/);
    expect(lastMessage()).toContain('\n:x: Workflow');
  });

  it.each([
    ['failure', 'requested', 'queued'],
    ['change', 'in_progress', 'in_progress'],
  ])(
    'with notify-on: %s, does not post a run that is only %s',
    async (notifyOn, action, status) => {
      const event = structuredClone(exampleOf('workflow_run', 'completed')) as {
        action: string;
        workflow_run: Record<string, unknown>;
      };
      event.action = action;
      Object.assign(event.workflow_run, { status, conclusion: null });
      const result = await run({ 'notify-on': notifyOn }, { eventName: 'workflow_run', event });
      expect(result.exitCode).toBe(0);
      expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
      expect(result.log).toContain(
        `Not posting: notify-on is ${notifyOn} and the run has not completed.`,
      );
      expect(mattermost.requests).toEqual([]);
      expect(github.requests).toEqual([]);
    },
  );

  it('with notify-on: always, posts a run that is only requested', async () => {
    const event = structuredClone(exampleOf('workflow_run', 'completed')) as {
      action: string;
      workflow_run: Record<string, unknown>;
    };
    event.action = 'requested';
    Object.assign(event.workflow_run, { status: 'queued', conclusion: null });
    const result = await run({}, { eventName: 'workflow_run', event });
    expect(result.posts.map((p) => p.status)).toEqual(['sent']);
    expect(lastMessage()).toContain('was requested');
  });

  it('takes status: workflow as the conclusion of the run it reports', async () => {
    const result = await run(
      { status: 'workflow', message: 'status={{ job.status }}' },
      { eventName: 'workflow_run', event: completed('cancelled') },
    );
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toBe('status=cancelled');
    expect(github.requests).toEqual([]);
  });
});

describe('notify-on: failure', () => {
  it('skips a success without asking GitHub or Mattermost anything', async () => {
    const result = await run({ status: 'success', 'notify-on': 'failure' });
    expect(result.exitCode).toBe(0);
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    expect(result.outputs['post-id']).toBe('');
    expect(result.log).toContain(
      "Not posting: notify-on is failure and the run's status is success.",
    );
    expect(github.requests).toEqual([]);
    expect(mattermost.requests).toEqual([]);
  });

  it('posts a cancelled run', async () => {
    const result = await run({ status: 'cancelled', 'notify-on': 'failure' });
    expect(result.posts.map((p) => p.status)).toEqual(['sent']);
    expect(lastMessage()).toMatch(/^:no_entry_sign: \*\*Cancelled\*\*/);
  });

  it('names a skipped webhook delivery by the hook channel', async () => {
    const result = await runAction({
      inputs: { 'webhook-url': hookUrl, status: 'success', 'notify-on': 'failure' },
    });
    expect(result.posts).toEqual([
      expect.objectContaining({ destination: '(webhook channel)', status: 'skipped' }),
    ]);
    expect(mattermost.requests).toEqual([]);
  });
});

describe('a token without the permissions', () => {
  it('still posts when the jobs are refused, naming actions: read once', async () => {
    matrixRun();
    github.deny('jobs');
    const result = await run({ status: 'failure' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toMatch(/^:x: \*\*Failed\*\*/);
    expect(result.notices).toEqual([
      expect.stringContaining("GitHub did not let github-token read this run's jobs (403)"),
    ]);
    expect(result.notices[0]).toContain('permissions: { actions: read }');
  });

  it('lists the jobs without annotations when annotations are refused, naming checks: read', async () => {
    matrixRun();
    github.deny('annotations');
    const result = await run({ status: 'failure' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toContain('failed at [Run tests]');
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toContain("the jobs' annotations (403)");
    expect(result.notices[0]).toContain('permissions: { checks: read }');
  });

  it.each(['run', 'workflow-runs'] as const)(
    'posts without broke or fixed when %s is refused',
    async (endpoint) => {
      history(['failure']);
      github.deny(endpoint, endpoint === 'run' ? 404 : 403);
      const result = await run({ status: 'success', 'notify-on': 'change' });
      expect(result.exitCode).toBe(0);
      expect(lastMessage()).toMatch(/^:white_check_mark: \*\*Succeeded\*\*/);
      expect(result.notices).toHaveLength(1);
      expect(result.notices[0]).toContain('permissions: { actions: read }');
    },
  );

  it('posts without a status when status: workflow cannot read the jobs', async () => {
    github.deny('jobs');
    const result = await run({ status: 'workflow', message: 'status=[{{ job.status }}]' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toBe('status=[]');
    expect(result.notices[0]).toContain('actions: read');
  });

  it('names both permissions in one notice', async () => {
    history(['success']);
    matrixRun();
    github.deny('annotations');
    github.deny('workflow-runs');
    const result = await run({ status: 'failure', 'notify-on': 'change' });
    expect(result.exitCode).toBe(0);
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toContain('permissions: { actions: read, checks: read }');
  });
});

describe('a rate-limited look-up', () => {
  it.each([403, 429] as const)(
    'is not taken for a missing permission (secondary limit, %i)',
    async (status) => {
      matrixRun();
      github.setSecondaryRateLimited(status);
      try {
        const result = await run({ status: 'failure' });
        expect(result.exitCode).toBe(0);
        expect(lastMessage()).toMatch(/^:x: \*\*Failed\*\*/);
        expect(result.notices).toEqual([
          expect.stringContaining(`(${status} You have exceeded a secondary rate limit`),
        ]);
        expect(result.notices[0]).not.toContain('permissions:');
      } finally {
        github.setSecondaryRateLimited(undefined);
      }
    },
  );
});

describe('mention-on-failure: author', () => {
  const pullRequest = exampleOf('pull_request', 'opened') as {
    pull_request: { user: { login: string } };
    repository: { full_name: string };
  };
  const author = pullRequest.pull_request.user.login;
  const prRun = (inputs: Record<string, string>) =>
    run(
      { status: 'failure', 'mention-on-failure': 'author', ...inputs },
      {
        eventName: 'pull_request',
        event: pullRequest,
        env: { GITHUB_REPOSITORY: pullRequest.repository.full_name },
      },
    );

  it('mentions the pull request author mapped in user-map', async () => {
    const result = await prRun({ 'user-map': `${author}: octo` });
    expect(result.exitCode).toBe(0);
    expect(lastMessage().split('\n')[0]).toMatch(/ · @octo$/);
  });

  it('finds the author through their GitHub email and the Mattermost user with it', async () => {
    github.addUser({ login: author, email: 'author@example.com' });
    const result = await prRun({});
    expect(result.exitCode).toBe(0);
    expect(lastMessage().split('\n')[0]).toMatch(/ · @author-mm$/);
  });

  it('prints the plain login when no user is found', async () => {
    github.addUser({ login: author, email: null });
    const result = await prRun({});
    expect(result.exitCode).toBe(0);
    const first = lastMessage().split('\n')[0] ?? '';
    expect(first).toMatch(new RegExp(` · ${author}$`));
    expect(first).not.toContain('@');
    expect(result.log).toContain(`mention-on-failure: ${author} is printed without a mention`);
  });

  it('never pings a channel for a login like all', async () => {
    const event = structuredClone(pullRequest);
    event.pull_request.user.login = 'all';
    const result = await run(
      { status: 'failure', 'mention-on-failure': 'author', 'user-map': 'all: all' },
      { eventName: 'pull_request', event, env: { GITHUB_REPOSITORY: event.repository.full_name } },
    );
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).not.toMatch(/@all\b/);
  });

  it('mentions the head commit author of a push', async () => {
    const push = exampleOf('push') as { head_commit: { author: Record<string, string> } };
    const event = structuredClone(push);
    event.head_commit.author = { name: 'Mona', email: 'author@example.com', username: 'mona-gh' };
    const result = await run({ status: 'failure', 'mention-on-failure': 'author' }, { event });
    expect(result.exitCode).toBe(0);
    expect(lastMessage().split('\n')[0]).toMatch(/ · @author-mm$/);
  });

  it.each(['failure', 'timed_out', 'startup_failure'])(
    'mentions the head commit author of a workflow_run that concluded %s',
    async (conclusion) => {
      const event = structuredClone(exampleOf('workflow_run', 'completed')) as {
        workflow_run: { conclusion: string; head_commit: { author: Record<string, string> } };
      };
      event.workflow_run.conclusion = conclusion;
      event.workflow_run.head_commit.author = { name: 'Mona', email: 'author@example.com' };
      const result = await run(
        { 'mention-on-failure': 'author' },
        { eventName: 'workflow_run', event },
      );
      expect(result.exitCode).toBe(0);
      expect(lastMessage().split('\n')[0]).toMatch(/ · @author-mm$/);
    },
  );

  it('mentions no one on success', async () => {
    const result = await prRun({ status: 'success', 'user-map': `${author}: octo` });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).not.toContain('@octo');
  });
});

describe('inputs', () => {
  const JOB_STATUS = '$' + '{{ job.status }}';
  it.each([
    [
      { 'notify-on': 'sometimes', status: 'success' },
      'notify-on sometimes is not a choice: use always, failure or change.',
    ],
    [
      { 'mention-on-failure': 'everyone' },
      'mention-on-failure everyone is not a choice: use none or author.',
    ],
    [
      { 'notify-on': 'change' },
      `notify-on: change needs to know how the run went: set status to ${JOB_STATUS}, or to workflow for the whole run.`,
    ],
    [
      { status: 'red' },
      `status red is not a job status: use success, failure, cancelled or skipped (${JOB_STATUS}), or workflow for the whole run's.`,
    ],
    [
      { 'mention-on-failure': 'author' },
      `mention-on-failure: author needs to know whether the run failed: set status to ${JOB_STATUS}, or to workflow for the whole run.`,
    ],
  ])('%o fails with one line', async (inputs, error) => {
    const result = await run(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([error]);
    expect(mattermost.requests).toEqual([]);
  });

  it('says github-token is empty rather than what the client says, and still posts', async () => {
    matrixRun();
    const result = await run({ status: 'failure', 'github-token': '' });
    expect(result.exitCode).toBe(0);
    expect(lastMessage()).toMatch(/^:x: \*\*Failed\*\*/);
    expect(result.notices).toEqual([
      expect.stringMatching(/^github-token is empty, so the GitHub look-ups .* are left out/),
    ]);
    expect(result.notices[0]).not.toContain('opts.auth');
    expect(github.requests).toEqual([]);
  });

  it('makes no GitHub request in a dry run', async () => {
    const result = await run({ status: 'workflow', 'notify-on': 'change', 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(github.requests).toEqual([]);
    expect(result.posts.map((p) => p.status)).toEqual(['dry-run']);
  });
});
