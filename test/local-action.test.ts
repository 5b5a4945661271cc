/**
 * The action run by GitHub's own `@github/local-action`, which reads action.yml, loads the
 * inputs from a dotenv file and runs `src/main.ts` through tsx, against the local Mattermost
 * test server. Its exit code is 0 even when the action fails, so these tests assert on the
 * outputs and on what the server stored. local-action stubs `@actions/core`, but the action does
 * not import it (src/actions-core.ts writes core's commands itself), so local-action replaces
 * nothing: the outputs go to GITHUB_OUTPUT as on a runner, and failures are `::error::`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ActionOptions,
  actionEnv,
  node24,
  parseOutputFile,
  repoRoot,
} from './support/action.js';
import { MattermostTestServer } from './support/mattermost-server.js';

const localAction = join(repoRoot, 'node_modules/@github/local-action/bin/local-action.js');

interface LocalActionRun {
  log: string;
  outputs: Record<string, string>;
  errors: string[];
}

/** `local-action run <repo> src/main.ts <dotenv>` under Node 24, the runners' Node. */
async function runLocalAction(options: ActionOptions): Promise<LocalActionRun> {
  const { env, files } = actionEnv(options);
  const dotenv = join(mkdtempSync(join(tmpdir(), 'mm-local-action-')), '.env');
  const lines = Object.entries(env)
    .filter(([name]) => name.startsWith('INPUT_') || name.startsWith('GITHUB_'))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  writeFileSync(dotenv, `${lines.join('\n')}\n`);
  const log = await new Promise<string>((resolve, reject) => {
    const child = spawn(node24, [localAction, 'run', repoRoot, 'src/main.ts', dotenv], {
      cwd: repoRoot,
      // local-action starts tsx through npx, which must find Node 24 first on PATH.
      env: {
        PATH: `${join(repoRoot, 'node_modules/.bin')}:${join(node24, '..')}:${process.env.PATH ?? ''}`,
        HOME: env.HOME ?? tmpdir(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
  return { log, outputs, errors: commands(log, 'error') };
}

function commands(log: string, name: string): string[] {
  return [...log.matchAll(new RegExp(`^::${name}(?: [^:]*)?::(.*)$`, 'gm'))].map((m) => m[1] ?? '');
}

let server: MattermostTestServer;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
});

afterAll(async () => {
  await server.stop();
});

describe('@github/local-action runs the action', () => {
  it('delivers over an incoming webhook', { timeout: 120_000 }, async () => {
    const owner = server.addUser({ username: 'hook-owner', teams: ['dev'] });
    const channel = server.addChannel({ team: 'dev', name: 'builds', members: [owner.id] });
    const hook = server.addIncomingWebhook({ channel: channel.id, creator: owner.id });

    const run = await runLocalAction({
      inputs: { 'webhook-url': hook.url, message: 'Build {{ github.run_number }} passed' },
    });

    // local-action read action.yml: its metadata table lists our inputs.
    expect(run.log).toMatch(/Action Metadata[\s\S]*'webhook-url'[\s\S]*Running Action/);
    expect(run.errors).toEqual([]);
    expect(server.posts({ channel_id: channel.id }).map((p) => p.message)).toEqual([
      'Build 42 passed',
    ]);
    expect(run.outputs.message).toBe('Build 42 passed');
    expect(JSON.parse(run.outputs.posts ?? '[]')).toEqual([
      {
        destination: '(webhook channel)',
        channel_id: '',
        post_id: '',
        root_id: '',
        status: 'sent',
        error: '',
      },
    ]);
  });

  it('sends a direct message as a bot', { timeout: 120_000 }, async () => {
    const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
    const jo = server.addUser({ username: 'jo', email: 'jo@example.com', teams: ['dev'] });

    const run = await runLocalAction({
      inputs: { 'server-url': server.url, token: bot.token, user: '@jo', message: 'Hi Jo' },
    });

    expect(run.errors).toEqual([]);
    const dm = server.directChannel(bot.user.id, jo.id);
    const [post, ...others] = server.posts({ channel_id: dm?.id ?? 'none' });
    expect(others).toEqual([]);
    expect(post).toMatchObject({ message: 'Hi Jo', user_id: bot.user.id });
    expect(run.outputs['post-id']).toBe(post?.id);
    expect(run.outputs['channel-id']).toBe(dm?.id);
    // Masked first (the runner hides the ::add-mask:: line itself), then never printed.
    expect(run.log).toContain(`::add-mask::${bot.token}`);
    expect(run.log.replace(/^::add-mask::.*$/gm, '')).not.toContain(bot.token);
  });

  it('reports a failure through core.setFailed, which local-action shows but does not exit on', {
    timeout: 120_000,
  }, async () => {
    const run = await runLocalAction({ inputs: { message: 'nowhere to go' } });

    expect(run.errors).toEqual([
      'No Mattermost connection: set webhook-url, or server-url and token (or the MATTERMOST_URL and MATTERMOST_TOKEN environment variables).',
    ]);
    expect(run.outputs).toEqual({});
  });
});
