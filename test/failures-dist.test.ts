/**
 * The failure look-ups in the bundle: the GitHub client is a chunk of its own, loaded only when a
 * look-up is needed. A copy of dist/ without that chunk shows it: a successful run still posts.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { actionEnv, repoRoot, runDist, runScript, systemNode } from './support/action.js';
import { GitHubTestServer } from './support/github-server.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let mattermost: MattermostTestServer;
let github: GitHubTestServer;
let hookUrl: string;
let channelId: string;

beforeAll(async () => {
  mattermost = await MattermostTestServer.start();
  github = await GitHubTestServer.start();
  mattermost.addTeam({ name: 'dev' });
  const creator = mattermost.addUser({ username: 'owner', teams: ['dev'] });
  channelId = mattermost.addChannel({ team: 'dev', name: 'ci', members: [creator.id] }).id;
  hookUrl = mattermost.addIncomingWebhook({ channel: channelId, creator: creator.id }).url;
});

afterAll(async () => {
  await mattermost.stop();
  await github.stop();
});

const inputs = (status: string) => ({
  'webhook-url': hookUrl,
  'github-token': github.token,
  status,
});

/** Runs a script as the runner would; asynchronously, so the servers in this process can answer. */

describe('dist/index.js and the failure look-ups', () => {
  it('posts a success without the GitHub client chunk, asking GitHub nothing', async () => {
    const dist = join(repoRoot, 'dist');
    const chunks = readdirSync(dist).filter((name) => /^\d+\.index\.js$/.test(name));
    const client = chunks.filter((name) =>
      readFileSync(join(dist, name), 'utf8').includes('octokit'),
    );
    expect(client).toHaveLength(1);
    const copy = mkdtempSync(join(tmpdir(), 'mm-dist-'));
    try {
      cpSync(dist, copy, { recursive: true });
      for (const name of client) rmSync(join(copy, name));
      github.requests.length = 0;
      const { env } = actionEnv({
        inputs: inputs('success'),
        env: { GITHUB_API_URL: github.url },
      });
      const child = await runScript(systemNode, join(copy, 'index.js'), env);
      // A look-up that tried to load the missing chunk would say so in a notice.
      expect(child.log).not.toMatch(/::(error|notice)::/);
      expect(child.code).toBe(0);
      expect(mattermost.posts({ channel_id: channelId }).at(-1)?.message).toMatch(
        /^:white_check_mark: \*\*Succeeded\*\*/,
      );
      expect(github.requests).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('loads the chunk to name the failed jobs', async () => {
    const [id = 0] = github.setRunJobs('octo-org/hello-world', 1234567890, 1, [
      {
        name: 'test (ubuntu-latest, 20)',
        conclusion: 'failure',
        steps: [{ name: 'Run tests', conclusion: 'failure' }],
      },
    ]);
    github.setAnnotations('octo-org/hello-world', id, [
      { path: 'src/math.test.ts', line: 12, message: 'expected 3 to be 4' },
    ]);
    const result = await runDist({
      inputs: inputs('failure'),
      env: { GITHUB_API_URL: github.url },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const message = mattermost.posts({ channel_id: channelId }).at(-1)?.message ?? '';
    expect(message).toContain('failed at [Run tests]');
    expect(message).toContain('`src/math.test.ts:12` expected 3 to be 4');
  });

  it('ends the step without waiting for a previous-run look-up it no longer needs', async () => {
    const runId = 1234567890;
    github.resetRuns();
    github.setRunJobs('octo-org/hello-world', runId, 1, [
      { name: 'build', conclusion: 'cancelled' },
      { name: 'notify', status: 'in_progress', runnerName: 'Runner 1' },
    ]);
    // The stand-in holds this answer for 20 s and the step's timeout is 30 s; the test's limit is 10 s.
    const stalled = `/repos/octo-org/hello-world/actions/runs/${runId}`;
    github.stall(stalled, 20_000);
    const result = await runDist({
      inputs: { ...inputs('workflow'), 'notify-on': 'change' },
      env: { GITHUB_API_URL: github.url, RUNNER_NAME: 'Runner 1' },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.posts.map((p) => p.status)).toEqual(['skipped']);
    // Given up, by the abort or at the latest by the process ending (the 10 s limit tells which).
    await vi.waitFor(() => expect(github.abandoned).toEqual([stalled]));
  }, 10_000);
});
