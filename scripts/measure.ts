/**
 * `npm run measure`: the numbers the action is judged by, measured rather than asserted.
 * - the size of dist/ (the entry file and each lazily loaded chunk);
 * - the wall time of one webhook delivery (`node dist/index.js` against the local test server),
 *   median of several runs, beside `node -e ''` on the same machine, under Node 20 and Node 24;
 * - the wall time of ten DMs by username as a bot, against a server that adds 50 ms to every
 *   request;
 * - the wall time of 100 DMs against a server rate-limited to 10 requests/s with a burst of 100;
 * - the requests a `thread-key` run makes to find its root behind 500 later posts, and per run
 *   into an existing thread;
 * - the wall time a failure's GitHub look-ups add (jobs, then both jobs' annotations at once; and
 *   with notify-on: change the two run look-ups beside them), against a GitHub stand-in that
 *   adds 50 ms to every answer.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  actionEnv,
  distEntry,
  node24,
  repoRoot,
  runDist,
  systemNode,
} from '../test/support/action.js';
import { GitHubTestServer } from '../test/support/github-server.js';
import { MattermostTestServer } from '../test/support/mattermost-server.js';

const RUNS = Number(process.env.RUNS ?? 9);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Wall time of one child process; async, so the test server in this process can answer it. */
function timeCommand(node: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

async function medianTime(
  node: string,
  args: string[],
  env: Record<string, string>,
): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) times.push(await timeCommand(node, args, env));
  return median(times);
}

function distSizes(): void {
  const dist = join(repoRoot, 'dist');
  console.log('dist/ size');
  let total = 0;
  for (const name of readdirSync(dist)
    .filter((n) => n.endsWith('.js'))
    .sort()) {
    const bytes = statSync(join(dist, name)).size;
    const gzip = gzipSync(readFileSync(join(dist, name))).length;
    total += bytes;
    console.log(
      `  ${name.padEnd(24)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  (gzip ${(gzip / 1024).toFixed(1)} KiB)`,
    );
  }
  console.log(`  ${'all .js'.padEnd(24)} ${(total / 1024).toFixed(1).padStart(8)} KiB\n`);
}

async function webhookWallTime(): Promise<void> {
  const server = await MattermostTestServer.start();
  try {
    server.addTeam({ name: 'dev' });
    const creator = server.addUser({ username: 'owner', teams: ['dev'] });
    const channel = server.addChannel({ team: 'dev', name: 'town-square', members: [creator.id] });
    const hook = server.addIncomingWebhook({ channel: channel.id, creator: creator.id });
    const { env } = actionEnv({
      inputs: { 'webhook-url': hook.url, message: 'Build {{ github.run_number }} passed' },
    });
    console.log(`One webhook delivery, median of ${RUNS} runs (ms)`);
    for (const [name, node] of [
      ['Node 20', systemNode],
      ['Node 24', node24],
    ] as const) {
      const empty = await medianTime(node, ['-e', ''], env);
      const action = await medianTime(node, [distEntry], env);
      console.log(
        `  ${name}: node dist/index.js ${action.toFixed(0)} ms, node -e '' ${empty.toFixed(0)} ms, difference ${(action - empty).toFixed(0)} ms`,
      );
    }
    console.log('');
  } finally {
    await server.stop();
  }
}

async function fanOut(
  title: string,
  count: number,
  config: Partial<MattermostTestServer['config']>,
): Promise<void> {
  const server = await MattermostTestServer.start(config);
  try {
    server.addTeam({ name: 'dev' });
    const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
    const names = Array.from({ length: count }, (_, i) => `user${i}`);
    for (const username of names) server.addUser({ username, teams: ['dev'] });
    const start = process.hrtime.bigint();
    const run = await runDist({
      node: systemNode,
      inputs: {
        'server-url': server.url,
        token: bot.token,
        user: names.join(','),
        message: 'Release 1.0 is out',
      },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const posts = server.posts().length;
    console.log(title);
    console.log(
      `  exit ${run.exitCode}, ${posts} posts stored for ${count} recipients, ${server.requests.length} requests, ${seconds.toFixed(2)} s`,
    );
    if (run.exitCode !== 0) console.log(run.errors.join('\n'));
    console.log('');
  } finally {
    await server.stop();
  }
}

/** Requests of `thread-key` runs: the root behind 500 later posts, then a run into that thread. */
async function threadLookup(): Promise<void> {
  const server = await MattermostTestServer.start();
  try {
    server.addTeam({ name: 'dev' });
    const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
    const someone = server.addUser({ username: 'ann', teams: ['dev'] });
    const channel = server.addChannel({ team: 'dev', name: 'ci', members: [bot.user.id] });
    const inputs = {
      'server-url': server.url,
      token: bot.token,
      channel: channel.id,
      'thread-key': 'octo-org/hello-world#42',
    };
    const first = await runDist({ node: systemNode, inputs: { ...inputs, message: 'opened' } });
    for (let i = 0; i < 500; i += 1) {
      server.addPost({ channel_id: channel.id, user_id: someone.id, message: `chatter ${i}` });
    }
    const count = async (channelId: string, extra: Record<string, string>) => {
      server.clearLog();
      const run = await runDist({
        node: systemNode,
        inputs: { ...inputs, channel: channelId, ...extra },
      });
      const pages = server.requestsTo('GET', `/api/v4/channels/${channelId}/posts`).length;
      return { run, pages, total: server.requests.length };
    };
    const deep = await count(channel.id, { message: 'CI passed' });
    const quiet = server.addChannel({ team: 'dev', name: 'deploys', members: [bot.user.id] });
    const rooted = { 'thread-root': 'Deploy 1.0: :hourglass: deploying', message: 'started' };
    await runDist({ node: systemNode, inputs: { ...inputs, channel: quiet.id, ...rooted } });
    const recent = await count(quiet.id, {
      'thread-root': 'Deploy 1.0: :white_check_mark: deployed',
      message: 'deployed',
      reactions: '-hourglass, white_check_mark',
    });
    console.log('thread-key: finding the root (look-up bound: 5 pages of 200 root posts)');
    console.log(
      `  behind 500 later posts: ${deep.pages} page requests, ${deep.total} requests in all, replied in the root's thread: ${deep.run.outputs['root-id'] === first.outputs['root-id']}`,
    );
    console.log(
      `  a recent thread, root edited, one reply, two reactions: ${recent.pages} page request, ${recent.total} requests in all (exit ${recent.run.exitCode})`,
    );
    console.log('');
  } finally {
    await server.stop();
  }
}

async function failureLookupWallTime(): Promise<void> {
  const latencyMs = 50;
  const mattermost = await MattermostTestServer.start();
  const github = await GitHubTestServer.start({ latencyMs });
  try {
    mattermost.addTeam({ name: 'dev' });
    const creator = mattermost.addUser({ username: 'owner', teams: ['dev'] });
    const channel = mattermost.addChannel({ team: 'dev', name: 'ci', members: [creator.id] });
    const hook = mattermost.addIncomingWebhook({ channel: channel.id, creator: creator.id });
    const repository = 'octo-org/hello-world';
    const runId = 1234567890;
    const ids = github.setRunJobs(repository, runId, 1, [
      { name: 'build' },
      ...['ubuntu-latest', 'windows-latest'].map((os) => ({
        name: `test (${os}, 20)`,
        conclusion: 'failure',
        steps: [
          { name: 'Set up job', conclusion: 'success' },
          { name: 'Run tests', conclusion: 'failure' },
        ],
      })),
    ]);
    for (const id of ids.slice(1)) {
      github.setAnnotations(repository, id, [
        { path: 'src/math.test.ts', line: 12, message: 'expected 3 to be 4' },
      ]);
    }
    github.addWorkflowRun(repository, {
      id: runId,
      workflowId: 7,
      branch: 'main',
      number: 42,
      status: 'in_progress',
    });
    github.addWorkflowRun(repository, { id: runId - 1, workflowId: 7, branch: 'main', number: 41 });
    const variants = [
      ['status: success', { status: 'success' }],
      ['status: failure', { status: 'failure' }],
      ['status: failure, notify-on: change', { status: 'failure', 'notify-on': 'change' }],
    ] as const;
    const envs = variants.map(
      ([, inputs]) =>
        actionEnv({
          inputs: { 'webhook-url': hook.url, 'github-token': github.token, ...inputs },
          env: { GITHUB_API_URL: github.url },
        }).env,
    );
    // Interleaved, so that a busy machine slows every variant alike.
    const times: number[][] = variants.map(() => []);
    const requests: number[] = variants.map(() => 0);
    for (let run = 0; run < RUNS; run += 1) {
      for (const [index, env] of envs.entries()) {
        const before = github.requests.length;
        times[index]?.push(await timeCommand(systemNode, [distEntry], env));
        requests[index] = github.requests.length - before;
      }
    }
    const medians = times.map(median);
    const base = medians[0] ?? Number.NaN;
    console.log(
      `A failure's GitHub look-ups, two failed jobs, ${latencyMs} ms added to every GitHub answer, median of ${RUNS} runs (Node 20)`,
    );
    for (const [index, [name]] of variants.entries()) {
      const time = medians[index] ?? Number.NaN;
      console.log(
        `  ${name.padEnd(36)} ${time.toFixed(0).padStart(5)} ms, ${requests[index]} GitHub requests, +${(time - base).toFixed(0)} ms`,
      );
    }
    console.log('');
  } finally {
    await github.stop();
    await mattermost.stop();
  }
}

distSizes();
await webhookWallTime();
await failureLookupWallTime();
await fanOut('Ten DMs by username, 50 ms added to every request', 10, { latencyMs: 50 });
await fanOut('100 DMs, server limited to 10 requests/s with a burst of 100', 100, {
  rateLimit: { perSec: 10, maxBurst: 100 },
});
await threadLookup();
