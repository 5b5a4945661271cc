/** `github-user`, `user-map` and the `mention` filter, end to end through the action. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionOptions, runAction } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { GitHubTestServer } from './support/github-server.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let mattermost: MattermostTestServer;
let github: GitHubTestServer;
let token: string;
let botId: string;
let hookUrl: string;
const users: Record<string, string> = {};

const pullRequest = exampleOf('pull_request', 'opened') as {
  number: number;
  pull_request: { user: { login: string } };
  repository: { full_name: string; name: string; owner: { login: string } };
};
const author = pullRequest.pull_request.user.login;
const [owner = '', repo = ''] = pullRequest.repository.full_name.split('/');

beforeAll(async () => {
  mattermost = await MattermostTestServer.start();
  github = await GitHubTestServer.start();
  mattermost.addTeam({ name: 'dev' });
  const bot = mattermost.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  botId = bot.user.id;
  for (const [name, email] of [
    ['octo', 'octo@example.com'],
    ['hubot', 'hubot@example.com'],
    ['author', 'author@example.com'],
    ['committer', 'committer@example.com'],
  ] as const) {
    users[name] = mattermost.addUser({ username: name, email, teams: ['dev'] }).id;
  }
  const channel = mattermost.addChannel({
    team: 'dev',
    name: 'town-square',
    members: [users.octo ?? ''],
  });
  hookUrl = mattermost.addIncomingWebhook({ channel: channel.id, creator: users.octo ?? '' }).url;
  github.addUser({ login: author, email: 'author@example.com' });
  github.addUser({ login: 'quiet-dev', email: null });
  github.addUser({ login: 'private-dev', email: null });
  github.setPullCommits(owner, repo, pullRequest.number, [
    { email: '12345+quiet-dev@users.noreply.github.com', login: 'quiet-dev' },
    { email: 'committer@example.com', login: 'quiet-dev' },
  ]);
});

afterAll(async () => {
  await mattermost.stop();
  await github.stop();
});

beforeEach(() => {
  mattermost.clearLog();
  github.requests.length = 0;
});

function run(inputs: Record<string, string>, options: Partial<ActionOptions> = {}) {
  return runAction({
    eventName: 'pull_request',
    event: pullRequest,
    ...options,
    inputs: { 'server-url': mattermost.url, token, 'github-token': github.token, ...inputs },
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: pullRequest.repository.full_name,
      ...options.env,
    },
  });
}

const dmMessages = (name: string) =>
  mattermost
    .posts({ channel_id: mattermost.directChannel(botId, users[name] ?? '')?.id ?? '' })
    .map((p) => p.message);

describe('github-user', () => {
  it('uses user-map without asking GitHub', async () => {
    const result = await run({
      'github-user': 'OctoCat',
      'user-map': 'octocat: octo',
      message: 'mapped',
    });
    expect(result.exitCode).toBe(0);
    expect(github.requests).toHaveLength(0);
    expect(dmMessages('octo').at(-1)).toBe('mapped');
    expect(result.posts).toEqual([
      expect.objectContaining({ destination: 'OctoCat', status: 'sent' }),
    ]);
  });

  it('reads the map from a file in the workspace, and maps to emails', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mm-map-'));
    mkdirSync(join(workspace, '.github'));
    writeFileSync(join(workspace, '.github/mattermost-users.yml'), 'hubot-gh: hubot@example.com\n');
    const result = await run(
      {
        'github-user': 'hubot-gh',
        'user-map': '.github/mattermost-users.yml',
        message: 'from file',
      },
      { workspace },
    );
    expect(result.exitCode).toBe(0);
    expect(mattermost.requestsTo('GET', '/api/v4/users/email/hubot@example.com')).toHaveLength(1);
    expect(dmMessages('hubot').at(-1)).toBe('from file');
  });

  it('finds an unmapped login by the public profile email', async () => {
    const result = await run({ 'github-user': author, message: 'profile' });
    expect(result.exitCode).toBe(0);
    expect(github.requests.map((r) => r.path)).toEqual([`/users/${author}`]);
    expect(dmMessages('author').at(-1)).toBe('profile');
  });

  it('falls back to the commit emails of the pull request, skipping noreply', async () => {
    const result = await run({ 'github-user': 'quiet-dev', message: 'commits' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(github.requests.map((r) => r.path)).toEqual([
      '/users/quiet-dev',
      `/repos/${owner}/${repo}/pulls/${pullRequest.number}/commits`,
    ]);
    expect(dmMessages('committer').at(-1)).toBe('commits');
  });

  it('skips bots with a notice', async () => {
    const result = await run({
      'github-user': 'dependabot[bot], octocat',
      'user-map': 'octocat: octo',
      message: 'x',
    });
    expect(result.exitCode).toBe(0);
    expect(result.notices.some((n) => n.includes('dependabot[bot]'))).toBe(true);
    expect(result.posts.map((p) => p.destination)).toEqual(['octocat']);
  });

  it('names a login it cannot resolve and says how to fix it, while the others get their message', async () => {
    const result = await run({
      'github-user': 'private-dev, octocat',
      'user-map': 'octocat: octo',
      message: 'partial',
    });
    expect(result.exitCode).toBe(1);
    expect(result.posts.map((p) => [p.destination, p.status])).toEqual([
      ['private-dev', 'failed'],
      ['octocat', 'sent'],
    ]);
    expect(result.errors[0]).toMatch(/- private-dev: .*private-dev.*user-map/);
  });

  it('in webhook mode sends mapped logins as @username and explains the rest', async () => {
    const result = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        'github-user': 'octocat, stranger',
        'user-map': '{"octocat": "hubot"}',
        message: 'hook',
      },
      env: { GITHUB_API_URL: github.url },
    });
    expect(result.exitCode).toBe(1);
    expect(github.requests).toHaveLength(0);
    expect(
      mattermost
        .requestsTo('POST', /^\/hooks\//)
        .map((r) => (r.json as { channel: string }).channel),
    ).toEqual(['@hubot']);
    expect(result.errors[0]).toMatch(/- stranger: .*API mode/);
  });

  it('explains a malformed user-map with its line', async () => {
    const result = await run({
      'github-user': 'octocat',
      'user-map': 'octocat: octo\nbad: [unclosed',
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/^user-map .*line 2/);
  });
});

describe('mention filter', () => {
  it('pings mapped logins, and prints others as plain, harmless text', async () => {
    const result = await run({
      user: 'octo',
      'user-map': 'octocat: octo\nhubot-gh: hubot@example.com',
      message:
        'Review by {{ "octocat" | mention }}, {{ "HUBOT-gh" | mention }} and {{ "someone" | mention }}',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.message).toBe('Review by @octo, @hubot and someone');
  });

  it('works on lists, such as the requested reviewers', async () => {
    const example = exampleOf('pull_request', 'review_requested');
    const pull = example.pull_request as { requested_reviewers: { login: string }[] };
    const reviewers = [...pull.requested_reviewers, { login: 'unmapped-dev' }];
    const event = { ...example, pull_request: { ...pull, requested_reviewers: reviewers } };
    const result = await run(
      {
        'dry-run': 'true',
        user: 'octo',
        'user-map': `${reviewers[0]?.login}: reviewer0`,
        message:
          '{{ event.pull_request.requested_reviewers | map: "login" | mention | join: ", " }}',
      },
      { event, eventName: 'pull_request' },
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs.message).toBe('@reviewer0, unmapped-dev');
  });
});
