// src/actions-core.ts takes @actions/core's command modules instead of core itself (start-up
// time): each function must write exactly what core's own does, so a core upgrade that changes
// them fails here rather than on a runner.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as ours from '../src/actions-core.js';

const MESSAGES = ['plain', 'a%b\r\nc\nd', '100%0A', ':: x, y: z', '', 'ünï ☃ \u2028'];

function stdoutOf(write: () => void): string {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    write();
  } finally {
    spy.mockRestore();
  }
  return out;
}

const savedOutput = process.env.GITHUB_OUTPUT;
afterEach(() => {
  process.exitCode = undefined;
  if (savedOutput === undefined) delete process.env.GITHUB_OUTPUT;
  else process.env.GITHUB_OUTPUT = savedOutput;
});

describe.each(MESSAGES)('writes what @actions/core writes for %j', (message) => {
  const pairs: [string, (text: string) => void, (text: string) => void][] = [
    ['notice', ours.notice, core.notice],
    ['warning', ours.warning, core.warning],
    ['info', ours.info, core.info],
    ['setSecret', ours.setSecret, core.setSecret],
  ];
  it.each(pairs)('%s', (_name, mine, theirs) => {
    expect(stdoutOf(() => mine(message))).toBe(stdoutOf(() => theirs(message)));
  });

  it('setFailed, exit code included', () => {
    const theirs = stdoutOf(() => core.setFailed(message));
    const theirExit = process.exitCode;
    process.exitCode = undefined;
    expect(stdoutOf(() => ours.setFailed(message))).toBe(theirs);
    expect(process.exitCode).toBe(theirExit);
  });

  it('setOutput without GITHUB_OUTPUT (the ::set-output command)', () => {
    delete process.env.GITHUB_OUTPUT;
    expect(stdoutOf(() => ours.setOutput('post-id', message))).toBe(
      stdoutOf(() => core.setOutput('post-id', message)),
    );
  });

  it('setOutput to the GITHUB_OUTPUT file', () => {
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
