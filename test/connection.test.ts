/**
 * Where the action connects: the inputs decide the mode, MATTERMOST_URL and MATTERMOST_TOKEN
 * stand in for server-url and token each on its own, and a dry run needs no connection at all
 * (so it runs where secrets are absent, e.g. on pull requests from forks).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { node24, runAction, runDist, systemNode } from './support/action.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let server: MattermostTestServer;
let token: string;
let releasesId: string;
let hookUrl: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  releasesId = server.addChannel({ team: 'dev', name: 'releases', members: [bot.user.id] }).id;
  const owner = server.addUser({ username: 'hook-owner', teams: ['dev'] });
  const hook = server.addIncomingWebhook({ channel: releasesId, creator: owner.id });
  hookUrl = hook.url;
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  server.clearLog();
});

describe('dry run without any connection input', () => {
  it('renders, writes outputs and the summary, and says nothing could be sent', async () => {
    const run = await runAction({
      inputs: {
        'dry-run': 'true',
        message: 'Run {{ github.run_number }} of {{ github.workflow }}',
      },
    });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.message).toBe('Run 42 of CI');
    expect(run.posts).toEqual([
      {
        destination: '(no destination given)',
        channel_id: '',
        post_id: '',
        root_id: '',
        status: 'dry-run',
        error: '',
      },
    ]);
    expect(run.summary).toContain('Run 42 of CI');
    expect(run.summary).toContain(
      'Dry run without a connection: no webhook-url, server-url or token was given, so nothing could have been sent.',
    );
  });

  it('lists every destination either mode could take, and takes the inputs of either mode', async () => {
    const run = await runAction({
      inputs: {
        'dry-run': 'true',
        channel: 'town-square, dev/releases, @jo',
        'user-email': 'ann@example.com',
        'github-user': 'octocat',
        payload: '{"icon_emoji": "rocket"}',
        'thread-key': '{{ github.repository }}#{{ github.run_number }}',
        reactions: 'rocket',
      },
    });

    expect(run.errors).toEqual([]);
    expect(run.posts.map((p) => [p.destination, p.status])).toEqual([
      ['town-square', 'dry-run'],
      ['dev/releases', 'dry-run'],
      ['@jo', 'dry-run'],
      ['ann@example.com', 'dry-run'],
      ['octocat', 'dry-run'],
    ]);
    expect(run.summary).toContain('| dev/releases | 📝 dry run |');
  });

  it.each([
    ['Node 20', systemNode],
    ['Node 24', node24],
  ])('works from the bundle under %s, as the CI smoke job runs it', async (_runtime, node) => {
    const run = await runDist({ node, inputs: { 'dry-run': 'true', status: 'success' } });

    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.message).not.toBe('');
    expect(run.posts.map((p) => p.status)).toEqual(['dry-run']);
  });

  it('still refuses a bad input', async () => {
    const run = await runAction({ inputs: { 'dry-run': 'true', retries: '11' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['retries must be a whole number from 0 to 10, not 11.']);
  });

  it.each(['0x3', '1e1', '3.0', '+3'])(
    'refuses retries: %s, which is not written in digits',
    async (text) => {
      const run = await runAction({ inputs: { 'dry-run': 'true', retries: text } });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([`retries must be a whole number from 0 to 10, not ${text}.`]);
    },
  );

  it('takes half a connection (server-url without its token, as on a fork) and names the server', async () => {
    const run = await runAction({
      inputs: { 'dry-run': 'true', 'server-url': server.url, channel: 'eng/town-square' },
      env: { MATTERMOST_TOKEN: '' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.posts.map((p) => p.status)).toEqual(['dry-run']);
    expect(run.summary).toContain(
      `Dry run: this would have been posted as the bot to ${server.url}`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('takes a token without its server-url as no connection', async () => {
    const run = await runAction({ inputs: { 'dry-run': 'true', token, message: 'hi' } });
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('Dry run without a connection');
    const linesWithToken = run.log.split('\n').filter((line) => line.includes(token));
    expect(linesWithToken.length).toBeGreaterThan(0);
    for (const line of linesWithToken) expect(line).toBe(`::add-mask::${token}`);
  });

  it('says where a dry run with a connection would have posted, and sends nothing', async () => {
    const webhook = await runAction({ inputs: { 'dry-run': 'true', 'webhook-url': hookUrl } });
    const bot = await runAction({
      inputs: { 'dry-run': 'true', 'server-url': server.url, token, channel: releasesId },
    });

    expect(webhook.summary).toContain(
      'Dry run: this would have been posted through the incoming webhook',
    );
    expect(bot.summary).toContain(
      `Dry run: this would have been posted as the bot to ${server.url}`,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('MATTERMOST_URL and MATTERMOST_TOKEN', () => {
  it('token comes from MATTERMOST_TOKEN when only server-url is given', async () => {
    const run = await runAction({
      inputs: { 'server-url': server.url, channel: releasesId, message: 'token from env' },
      env: { MATTERMOST_TOKEN: token },
    });

    expect(run.errors).toEqual([]);
    expect(run.masked).toContain(token);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('token from env');
  });

  it('server-url comes from MATTERMOST_URL when only token is given', async () => {
    const run = await runAction({
      inputs: { token, channel: releasesId, message: 'url from env' },
      env: { MATTERMOST_URL: server.url },
    });

    expect(run.errors).toEqual([]);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('url from env');
  });

  it('are not used when webhook-url is given: the inputs decide the mode', async () => {
    const run = await runAction({
      inputs: { 'webhook-url': hookUrl, message: 'by webhook' },
      env: { MATTERMOST_URL: 'https://elsewhere.example.com', MATTERMOST_TOKEN: 'unused' },
    });

    expect(run.errors).toEqual([]);
    expect(server.requestsTo('POST', /^\/hooks\//)).toHaveLength(1);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('by webhook');
  });

  it('a missing half names both the input and the variable', async () => {
    const noToken = await runAction({ inputs: { 'server-url': server.url, channel: releasesId } });
    const noUrl = await runAction({
      inputs: { channel: releasesId },
      env: { MATTERMOST_TOKEN: 't' },
    });

    expect(noToken.errors).toEqual([
      'server-url is set but token is empty: set token (or MATTERMOST_TOKEN) to a bot or personal access token.',
    ]);
    expect(noUrl.errors).toEqual([
      'token is set but server-url is empty: set server-url (or MATTERMOST_URL), e.g. https://chat.example.com.',
    ]);
    expect(server.requests).toHaveLength(0);
  });
});
