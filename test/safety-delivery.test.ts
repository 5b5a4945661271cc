/**
 * Promises about who gets what that no other test guarded (found by mutation testing), and the
 * payload URL check end to end: one person reached two ways gets one message in webhook mode
 * too; a dry run of the bundle in API mode sends nothing at all; a payload URL field that is not
 * http(s) is left out with a warning, and the post goes.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { distEntry, runAction, runDist } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let server: MattermostTestServer;
let hookUrl: string;
let token: string;
let creatorId: string;
let hubotId: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  creatorId = server.addUser({ username: 'hook-owner', teams: ['dev'] }).id;
  hubotId = server.addUser({ username: 'hubot', email: 'hubot@example.com', teams: ['dev'] }).id;
  const channel = server.addChannel({ team: 'dev', name: 'town-square', members: [creatorId] });
  hookUrl = server.addIncomingWebhook({ channel: channel.id, creator: creatorId }).url;
  token = server.addBot({ username: 'notify-bot', teams: ['dev'] }).token;
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  server.clearLog();
});

describe('one person reached two ways', () => {
  it.each([
    ['hubot', 'hubot-gh: hubot'],
    ['Hubot', 'hubot-gh: HUBOT'],
  ])(
    'gets one message in webhook mode (user: %s, github-user mapped to them)',
    async (user, map) => {
      const dm = () => server.directChannel(creatorId, hubotId);
      const before = dm() ? server.posts({ channel_id: dm()?.id ?? '' }).length : 0;
      const run = await runAction({
        inputs: {
          'webhook-url': hookUrl,
          user,
          'github-user': 'hubot-gh',
          'user-map': map,
          message: 'once',
        },
      });
      expect(run.exitCode).toBe(0);
      expect(server.requestsTo('POST', /^\/hooks\//)).toHaveLength(1);
      expect(server.posts({ channel_id: dm()?.id ?? '' }).length - before).toBe(1);
      expect(run.posts).toEqual([expect.objectContaining({ destination: user, status: 'sent' })]);
    },
  );
});

describe('the size of what is sent', () => {
  it('is bounded: the longest message makes at most 5 hook posts, a longer one none', async () => {
    const longest = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        message: '{% for i in (1..6553) %}word word\n{% endfor %}',
      },
    });
    expect(longest.exitCode).toBe(0);
    const parts = server.requestsTo('POST', /^\/hooks\//).length;
    expect(parts).toBeGreaterThan(1);
    expect(parts).toBeLessThanOrEqual(5);
    server.clearLog();
    const run = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        message:
          '{% assign s = "x " %}{% for i in (1..28) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'The message template has an error on line 1, column 66: rendered text limit exceeded: it writes more than 2,000,000 characters (a capture or loop that keeps growing?).',
    ]);
    expect(server.requests).toEqual([]);
    expect(run.outputs.message).toBeUndefined();
  });
});

describe('a dry run of the bundle in API mode', () => {
  it('renders and reports, and sends no request at all', async () => {
    expect(existsSync(distEntry), 'dist/index.js: run npm run build').toBe(true);
    const run = await runDist({
      eventName: 'pull_request',
      event: exampleOf('pull_request', 'opened'),
      inputs: {
        'server-url': server.url,
        token,
        channel: 'dev/town-square',
        user: 'hubot',
        'user-email': 'hubot@example.com',
        'dry-run': 'true',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.message).toContain('/pull/');
    expect(run.posts.map((p) => p.status)).toEqual(['dry-run', 'dry-run', 'dry-run']);
    expect(server.requests).toEqual([]);
  });
});

describe('payload URL fields from event text', () => {
  it('are left out unless http(s), with a warning, and the post goes', async () => {
    const event = structuredClone(exampleOf('pull_request', 'opened'));
    Object.assign(event.pull_request as Record<string, unknown>, {
      html_url: 'javascript:alert(1)',
    });
    const run = await runAction({
      eventName: 'pull_request',
      event,
      inputs: {
        'webhook-url': hookUrl,
        message: 'pr',
        payload: JSON.stringify({
          attachments: [
            {
              title: '{{ event.pull_request.title }}',
              title_link: '{{ event.pull_request.html_url }}',
              author_icon: '{{ event.pull_request.user.avatar_url }}',
            },
          ],
        }),
      },
    });
    expect(run.exitCode).toBe(0);
    const [request] = server.requestsTo('POST', /^\/hooks\//);
    const body = request?.json as { attachments?: Array<Record<string, unknown>> } | undefined;
    const attachments = body?.attachments ?? [];
    expect(attachments[0]).not.toHaveProperty('title_link');
    expect(attachments[0]?.author_icon).toMatch(/^https:\/\//);
    expect(run.warnings).toEqual([
      'payload: attachments[0].title_link is not an http(s) URL, so it was left out: "javascript:alert(1)".',
    ]);
  });
});
