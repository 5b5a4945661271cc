/**
 * The bundle as the runner runs it: `node dist/index.js` in a child process, under this
 * machine's Node 20 and under Node 24 (the `node24` runtime of action.yml).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node24, runDist, systemNode } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { GitHubTestServer } from './support/github-server.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let server: MattermostTestServer;
let github: GitHubTestServer;
let hook: { id: string; url: string };
let token: string;
let townSquareId: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const creator = server.addUser({ username: 'hook-owner', teams: ['dev'] });
  townSquareId = server.addChannel({ team: 'dev', name: 'town-square', members: [creator.id] }).id;
  hook = server.addIncomingWebhook({ channel: townSquareId, creator: creator.id });
  token = server.addBot({ username: 'notify-bot', teams: ['dev'] }).token;
  server.addUser({ username: 'jo', email: 'jo@example.com', teams: ['dev'] });
  github = await GitHubTestServer.start();
  github.addUser({ login: 'jo-on-github', email: 'jo@example.com' });
});

afterAll(async () => {
  await server.stop();
  await github.stop();
});

const runtimes = [
  { name: 'Node 20 (this machine)', node: systemNode, major: 'v20.' },
  { name: 'Node 24 (the runners)', node: node24, major: 'v24.' },
];

describe.each(runtimes)('dist/index.js under $name', ({ node, major }) => {
  it(`is really ${major}`, () => {
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(
      new RegExp(`^${major.replace('.', '\\.')}`),
    );
  });

  it('posts the built-in pull_request message over a webhook', async () => {
    const before = server.posts().length;
    const run = await runDist({
      node,
      eventName: 'pull_request',
      event: exampleOf('pull_request', 'opened'),
      inputs: { 'webhook-url': hook.url, status: 'success' },
    });
    expect(run.log).not.toMatch(/Unexpected error/);
    expect(run.exitCode).toBe(0);
    const posts = server.posts().slice(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.channel_id).toBe(townSquareId);
    expect(posts[0]?.message).toBe(run.outputs.message);
    expect(run.log.replace(/^::add-mask::.*$/gm, '')).not.toContain(hook.id);
  });

  it('loads, for a webhook delivery, none of the modules only other features need', async () => {
    // What Node itself loaded, read at exit: a start-up cost is a module on this list.
    const dir = mkdtempSync(join(tmpdir(), 'mm-dist-modules-'));
    const preload = join(dir, 'loaded.cjs');
    const listFile = join(dir, 'loaded.json');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listFile)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
    );
    const run = await runDist({
      node,
      inputs: { 'webhook-url': hook.url, message: 'Build {{ github.run_number }} passed' },
      env: { NODE_OPTIONS: `--require ${preload}` },
    });
    expect(run.exitCode).toBe(0);
    const loaded = JSON.parse(readFileSync(listFile, 'utf8')) as {
      builtins: string[];
      files: string[];
    };
    const builtins = loaded.builtins
      .filter((entry) => entry.startsWith('NativeModule '))
      .map((entry) => entry.slice('NativeModule '.length));
    // crypto: liquidjs's Node build and core's file-command module would load it (~4 ms);
    // fs/promises loads readline; the others are TLS, proxies, compression and child processes.
    for (const unneeded of [
      'crypto',
      'https',
      'tls',
      'http2',
      'zlib',
      'child_process',
      'worker_threads',
      'internal/fs/promises',
    ]) {
      expect(builtins).not.toContain(unneeded);
    }
    expect(loaded.files.filter((file) => /\.index\.js$/.test(file))).toEqual([]);
  });

  it('sends a DM as a bot, found by email', async () => {
    const run = await runDist({
      node,
      inputs: {
        'server-url': server.url,
        token,
        'user-email': 'jo@example.com',
        message: 'hi {{ github.actor }}',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.posts).toEqual([
      expect.objectContaining({ destination: 'jo@example.com', status: 'sent' }),
    ]);
    expect(server.posts().find((p) => p.id === run.outputs['post-id'])?.message).toBe('hi octocat');
  });

  it('loads the GitHub API chunk to find a GitHub user by profile email', async () => {
    const run = await runDist({
      node,
      inputs: {
        'server-url': server.url,
        token,
        'github-user': 'jo-on-github',
        'github-token': github.token,
        message: 'found you',
      },
      env: { GITHUB_API_URL: github.url },
    });
    expect(run.errors).toEqual([]);
    expect(run.posts).toEqual([
      expect.objectContaining({ destination: 'jo-on-github', status: 'sent' }),
    ]);
    expect(server.posts().find((p) => p.id === run.outputs['post-id'])?.message).toBe('found you');
  });

  it('loads the glob chunk to attach files', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mm-dist-files-'));
    writeFileSync(join(workspace, 'report.txt'), 'all green');
    const run = await runDist({
      node,
      workspace,
      inputs: {
        'server-url': server.url,
        token,
        'user-email': 'jo@example.com',
        message: 'report',
        files: '*.txt',
      },
    });
    expect(run.errors).toEqual([]);
    expect(server.posts().find((p) => p.id === run.outputs['post-id'])?.file_ids).toHaveLength(1);
  });

  it('renders date names in English under a German locale', async () => {
    const run = await runDist({
      node,
      inputs: {
        'webhook-url': hook.url,
        message: '{{ "2024-03-01T10:20:30Z" | date: "%A %-d %B", "UTC" }}',
      },
      env: { LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' },
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs.message).toBe('Friday 1 March');
  });

  it('loads the YAML chunk for a YAML user-map and payload', async () => {
    const run = await runDist({
      node,
      inputs: {
        'webhook-url': hook.url,
        'github-user': 'jo-on-github',
        'user-map': 'jo-on-github: jo',
        message: 'mapped',
        payload: 'props:\n  card: from YAML',
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.posts).toEqual([
      expect.objectContaining({ destination: 'jo-on-github', status: 'sent' }),
    ]);
    const post = server
      .posts()
      .filter((p) => p.message === 'mapped')
      .at(-1);
    expect(post?.props).toEqual(expect.objectContaining({ card: 'from YAML' }));
  });

  it('fails with one clear line and exit code 1', async () => {
    const run = await runDist({
      node,
      inputs: { 'server-url': server.url, token: 'wrong-token-value', user: 'jo' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/401 api\.context\.session_expired\.app_error/);
    expect(run.log.replace(/^::add-mask::.*$/gm, '')).not.toContain('wrong-token-value');
  });
});
