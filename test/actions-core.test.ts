// src/actions-core.ts does what @actions/core's functions do without importing core (start-up
// time): each must write exactly what core's own writes, so a core upgrade that changes them
// fails here rather than on a runner. The log is compared as a runner sees it: a child process's
// stdout pipe.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as ours from '../src/actions-core.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const COMMANDS = fileURLToPath(new URL('./fixtures/actions-core/commands.ts', import.meta.url));
const MESSAGES = ['plain', 'a%b\r\nc\nd', '100%0A', ':: x, y: z', '', 'ünï ☃ \u2028'];

/** What a side writes to a pipe (stdout on a runner) and its exit code, from a child process. */
function logOf(side: 'core' | 'ours'): { log: string; exitCode: number | null } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', COMMANDS, side], {
    env: { ...process.env, MESSAGES: JSON.stringify(MESSAGES) },
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  return { log: run.stdout, exitCode: run.status };
}

describe('the log: every message through notice, warning, info, setSecret, setOutput (no GITHUB_OUTPUT) and setFailed', () => {
  const theirs = logOf('core');
  const mine = logOf('ours');
  const perMessage = (log: string) => log.split(/^--- /m).slice(1);

  it.each(MESSAGES.map((message, index) => [message, index] as const))(
    'writes what @actions/core writes for %j',
    (_message, index) => {
      expect(perMessage(mine.log)[index]).toBe(perMessage(theirs.log)[index]);
    },
  );

  it('all of it, in the same order, with the same exit code', () => {
    expect(theirs.log).toContain('::error::plain');
    expect(mine.log).toBe(theirs.log);
    expect(mine.exitCode).toBe(1);
    expect(mine.exitCode).toBe(theirs.exitCode);
  });
});

it('keeps every line, in order, when a full pipe makes the direct write to fd 1 fail (EAGAIN)', async () => {
  const lines = 20_000; // ~200 KB: more than a pipe holds
  const child = spawn(process.execPath, ['--import', 'tsx', COMMANDS, 'flood'], {
    env: { ...process.env, LINES: String(lines) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pause(); // unread: the pipe fills, and a direct write gets EAGAIN
  const closed = new Promise((resolve) => child.on('close', resolve));
  let err = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('\n')) resolve();
    });
    child.on('exit', () => resolve());
  }); // every line is written (or the child died) before the pipe is read
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stdout.resume();
  const exitCode = await closed;
  expect(err).toMatch(/^stream writes: [1-9]\d*\n$/);
  expect(exitCode).toBe(0);
  expect(log).toBe(Array.from({ length: lines }, (_, index) => `line ${index + 1}${EOL}`).join(''));
});

it('is the only way src/ writes to the log (writeLog keeps the order only if nothing else does)', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && file !== 'actions-core.ts',
  );
  const writers = files.filter((file) =>
    /\bconsole\.|process\.std(out|err)\b/.test(readFileSync(join(SRC, file), 'utf8')),
  );
  expect(files.length).toBeGreaterThan(20);
  expect(writers).toEqual([]);
});

const savedOutput = process.env.GITHUB_OUTPUT;
afterEach(() => {
  process.exitCode = undefined;
  if (savedOutput === undefined) delete process.env.GITHUB_OUTPUT;
  else process.env.GITHUB_OUTPUT = savedOutput;
});

describe.each(MESSAGES)('setOutput to the GITHUB_OUTPUT file, for %j', (message) => {
  it('writes what @actions/core writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actions-core-'));
    const [theirs, mine] = [join(dir, 'core'), join(dir, 'ours')];
    writeFileSync(theirs, '');
    writeFileSync(mine, '');
    process.env.GITHUB_OUTPUT = theirs;
    core.setOutput('message', message);
    process.env.GITHUB_OUTPUT = mine;
    ours.setOutput('message', message);
    const delimiterFree = (path: string) =>
      readFileSync(path, 'utf8').replace(/ghadelimiter_[0-9a-f-]+/g, 'DELIMITER');
    expect(delimiterFree(mine)).toBe(delimiterFree(theirs));
  });
});

it.each(['webhook-url', 'my input', 'github-token', 'missing', 'Webhook-Url'])(
  'getInput(%j) reads and trims as core does',
  (name) => {
    vi.stubEnv('INPUT_WEBHOOK-URL', '  http://x \n');
    vi.stubEnv('INPUT_MY_INPUT', ' a ');
    vi.stubEnv('INPUT_GITHUB-TOKEN', '\t t\t');
    try {
      expect(ours.getInput(name)).toBe(core.getInput(name));
    } finally {
      vi.unstubAllEnvs();
    }
  },
);

describe('the GITHUB_OUTPUT delimiter (core draws it with node:crypto, we with Math.random)', () => {
  it("looks like core's and is new for every output", () => {
    const delimiterOf = (block: string) => block.split('\n')[0]?.split('<<')[1];
    const first = delimiterOf(ours.keyValueBlock('a', 'x'));
    expect(first).toMatch(
      /^ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(delimiterOf(ours.keyValueBlock('a', 'x'))).not.toBe(first);
  });

  it('is never one that occurs in the name or the value: it draws another', () => {
    // A random source that first gives the delimiter hidden in the value, then another one.
    const draws = [...Array(32).fill(0), ...Array(32).fill(0.5)];
    const random = () => draws.shift() ?? 0.99;
    const taken = 'ghadelimiter_00000000-0000-0000-0000-000000000000';
    const block = ours.keyValueBlock('message', `line\n${taken}\nevil<<x`, random);
    expect(block).toBe(
      [
        'message<<ghadelimiter_88888888-8888-8888-8888-888888888888',
        'line',
        taken,
        'evil<<x',
        'ghadelimiter_88888888-8888-8888-8888-888888888888',
      ].join(EOL),
    );
  });
});
