import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionError } from '../src/errors.js';
import { createHttp, type Http } from '../src/mattermost/http.js';
import { postToWebhook, type WebhookBody } from '../src/mattermost/webhook.js';
import { MattermostTestServer } from './support/mattermost-server.js';
import { actionErrorOf, answerSuffixOf } from './support/server-answer.js';

let server: MattermostTestServer;
let http: Http;
let logs: string[];
let hook: { id: string; url: string };
let ids: { creator: string; builds: string; secret: string; other: string };
const secrets: string[] = [];
const printed: string[] = [];

beforeEach(async () => {
  // Most cases here are the specific ids of older servers; current ones are below.
  server = await MattermostTestServer.start({ webhookErrors: 'specific' });
  server.addTeam({ name: 'dev' });
  const creator = server.addUser({ username: 'creator', teams: ['dev'] });
  const outsider = server.addUser({ username: 'outsider', teams: ['dev'] });
  server.addUser({ username: 'jo', teams: ['dev'] });
  const builds = server.addChannel({ team: 'dev', name: 'builds', members: [creator.id] });
  const secret = server.addChannel({
    team: 'dev',
    name: 'secret',
    type: 'P',
    members: [outsider.id],
  });
  const other = server.addChannel({ team: 'dev', name: 'other', members: [creator.id] });
  ids = { creator: creator.id, builds: builds.id, secret: secret.id, other: other.id };
  hook = server.addIncomingWebhook({ channel: builds.id, creator: creator.id });
  secrets.push(hook.id);
  logs = [];
  http = createHttp({
    retries: 3,
    timeoutSeconds: 5,
    log: (line) => {
      logs.push(line);
      printed.push(line);
    },
    sleep: async () => undefined,
    random: () => 0.5,
  });
});

afterEach(async () => {
  http.dispose();
  await server.stop();
});

afterAll(() => {
  expect(printed.length).toBeGreaterThan(10);
  expect(printed.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
});

async function rejection(
  body: WebhookBody,
  label = "the webhook's channel",
  url = hook.url,
): Promise<ActionError> {
  const error = await actionErrorOf(postToWebhook(http, url, body, label));
  printed.push(error.message);
  return error;
}

describe('postToWebhook', () => {
  it('posts the body as JSON and resolves on 200 ok', async () => {
    const body: WebhookBody = {
      text: 'Deployed *v1.2.3*',
      props: { card: 'x' },
      priority: { priority: 'important' },
    };
    await postToWebhook(http, hook.url, body, "the webhook's channel");
    const [request] = server.requestsTo('POST', `/hooks/${hook.id}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json).toEqual(body);
    expect(server.posts({ channel_id: ids.builds }).map((post) => post.message)).toEqual([
      'Deployed *v1.2.3*',
    ]);
  });

  it('posts to another channel and to a user by name', async () => {
    await postToWebhook(http, hook.url, { text: 'a', channel: 'other' }, 'other');
    await postToWebhook(http, hook.url, { text: 'b', channel: '@jo' }, '@jo');
    expect(server.posts({ channel_id: ids.other })).toHaveLength(1);
    expect(server.posts()).toHaveLength(2);
  });

  it('unknown or deleted hook: create a new one', async () => {
    server.deleteIncomingWebhook(hook.id);
    const error = await rejection({ text: 'hi' });
    expect(error.message).toBe(
      `The server does not know this webhook: it was deleted or the URL is mistyped; create a new incoming webhook and update webhook-url ${answerSuffixOf(error)}.`,
    );
    expect(error.server?.id).toBe('web.incoming_webhook.invalid.app_error');
  });

  it('webhooks disabled: enable them in the System Console', async () => {
    server.config.enableIncomingWebhooks = false;
    const error = await rejection({ text: 'hi' });
    expect(error.server).toMatchObject({
      status: 501,
      id: 'web.incoming_webhook.disabled.app_error',
    });
    expect(error.message).toBe(
      `Incoming webhooks are disabled on this Mattermost server: a system admin must enable them in System Console → Integrations → Integration Management ${answerSuffixOf(error)}.`,
    );
  });

  it('unknown channel: names it and the team', async () => {
    const error = await rejection({ text: 'hi', channel: '~nope' }, '~nope');
    expect(error.server).toMatchObject({
      status: 404,
      id: 'web.incoming_webhook.channel.app_error',
    });
    expect(error.message).toBe(
      `Channel "nope" does not exist in the webhook's team: use the channel's name from its URL (not its display name), or a webhook of the right team ${answerSuffixOf(error)}.`,
    );
  });

  it('unknown user: names the user', async () => {
    const error = await rejection({ text: 'hi', channel: '@ghost' }, '@ghost');
    expect(error.server).toMatchObject({ status: 400, id: 'web.incoming_webhook.user.app_error' });
    expect(error.message).toBe(
      `There is no Mattermost user "@ghost": check the username ${answerSuffixOf(error)}.`,
    );
  });

  it('locked hook: remove channel/user or unlock it', async () => {
    const locked = server.addIncomingWebhook({
      channel: ids.builds,
      creator: ids.creator,
      channelLocked: true,
    });
    secrets.push(locked.id);
    const error = await rejection({ text: 'hi', channel: 'other' }, 'other', locked.url);
    expect(error.server).toMatchObject({
      status: 403,
      id: 'web.incoming_webhook.channel_locked.app_error',
    });
    expect(error.message).toBe(
      `The webhook is locked to its own channel, so it cannot post to "other": remove channel/user for this webhook, or untick "Lock to this channel" in the webhook's settings ${answerSuffixOf(error)}.`,
    );
  });

  it("private channel the hook's creator cannot read", async () => {
    const error = await rejection({ text: 'hi', channel: 'secret' }, 'secret');
    expect(error.server).toMatchObject({
      status: 403,
      id: 'web.incoming_webhook.permissions.app_error',
    });
    expect(error.message).toBe(
      `The webhook's creator cannot post in the private channel "secret": add them to the channel, or use a webhook created by a member ${answerSuffixOf(error)}.`,
    );
  });

  it('empty text without attachments', async () => {
    const error = await rejection({ text: '' });
    expect(error.server).toMatchObject({ status: 400, id: 'web.incoming_webhook.text.app_error' });
    expect(error.message).toBe(
      `The webhook refused an empty message: give message (or message-file), or a payload with attachments ${answerSuffixOf(error)}.`,
    );
  });

  it('invalid priority or type', async () => {
    const error = await rejection({ text: 'hi', type: 'system_join_channel' });
    expect(error.server).toMatchObject({ status: 400, id: 'api.context.invalid_param.app_error' });
    expect(error.message).toBe(
      `The webhook refused a post field ${answerSuffixOf(error)}: in payload, priority needs priority.priority ("important" or "urgent") and type must not start with "system_".`,
    );
  });

  it('unparsable body (as the server reports it)', async () => {
    server.inject({
      path: `/hooks/${hook.id}`,
      status: 400,
      body: {
        id: 'model.incoming_hook.parse_data.app_error',
        message: 'x',
        request_id: 'req1',
        status_code: 400,
      },
    });
    const error = await rejection({ text: 'hi' });
    expect(error.message).toMatch(
      /^The webhook could not read the message as JSON \(400 model\.incoming_hook\.parse_data\.app_error, request \w+\): this is a bug in mattermost-notify, please report it with the step's log\.$/,
    );
  });

  it.each([502, 504])(
    '%i from a proxy (HTML): one short line, not retried, may have been posted',
    async (status) => {
      server.inject({
        path: `/hooks/${hook.id}`,
        status,
        afterHandling: true,
        body: `<html><body><h1>${status}</h1>${'<p>nginx</p>'.repeat(100)}</body></html>`,
      });
      const error = await rejection({ text: 'hi' }, '@jo');
      expect(error.message).toMatch(
        new RegExp(
          `^POST http://127\\.0\\.0\\.1:\\d+/hooks/\\*\\*\\* for @jo got \\(${status} (Bad Gateway|Gateway Timeout), request \\w+\\) from a proxy; the message may or may not have been posted, so it was not retried \\(a webhook post cannot be repeated safely\\): check the channel before running again\\.$`,
        ),
      );
      expect(server.requestsTo('POST', `/hooks/${hook.id}`)).toHaveLength(1);
      expect(server.posts()).toHaveLength(1);
    },
  );

  it('retries 503 and 429 (not processed) and posts once', async () => {
    server.inject({ path: `/hooks/${hook.id}`, status: 503 });
    server.inject({
      path: `/hooks/${hook.id}`,
      status: 429,
      body: 'limit exceeded\n',
      headers: { 'Retry-After': '1' },
    });
    await postToWebhook(http, hook.url, { text: 'hi' }, "the webhook's channel");
    expect(server.requestsTo('POST', `/hooks/${hook.id}`)).toHaveLength(3);
    expect(server.posts()).toHaveLength(1);
    expect(logs).toHaveLength(2);
    expect(logs[1]).toContain('in 1.0 s (attempt 3 of 4): 429 Too Many Requests');
  });

  it('still rate-limited after the retries: a plain-text 429 becomes one line', async () => {
    server.inject({ path: `/hooks/${hook.id}`, status: 429, body: 'limit exceeded\n', times: 10 });
    const error = await rejection({ text: 'hi' });
    expect(error.message).toMatch(
      /^Posting to the webhook's channel through the webhook failed: Mattermost kept rate-limiting the requests \(429 Too Many Requests, request \w+\); try again later or raise the server's rate limit \(System Console → Rate Limiting\)\.$/,
    );
  });

  it('a 200 that is not "ok" is not a Mattermost webhook', async () => {
    server.inject({ path: `/hooks/${hook.id}`, status: 200, body: '<html>Sign in</html>' });
    const error = await rejection({ text: 'hi' });
    expect(error.message).toMatch(
      /did not answer like a Mattermost webhook \(200 OK, request \w+\): check that webhook-url/,
    );
  });

  it('too large a body', async () => {
    const error = await rejection({ text: 'x'.repeat(300_001) });
    expect(error.server).toMatchObject({
      status: 413,
      id: 'api.context.request_body_too_large.app_error',
    });
    expect(error.message).toContain('the request is larger than the server accepts');
  });

  it('refused connection: retried, then names the host and masks the hook', async () => {
    const url = hook.url;
    await server.stop();
    const error = await rejection({ text: 'hi' }, 'x', url);
    expect(error.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/hooks\/\*\*\* failed: 127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\) \(4 attempts\)/,
    );
    expect(logs).toHaveLength(3);
    server = await MattermostTestServer.start(); // for afterEach
  });
});

describe('postToWebhook on a current server: wrapped ids, explained by status', () => {
  beforeEach(() => {
    server.config.webhookErrors = 'wrapped';
  });

  const general = (status: number) =>
    ({ status, id: 'web.incoming_webhook.general.app_error' }) as const;

  it('400: names every cause a 400 can have, the @user too', async () => {
    const error = await rejection({ text: 'hi', channel: '@ghost' }, '@ghost');
    expect(error.server).toMatchObject(general(400));
    expect(error.message).toBe(
      `The webhook refused the message for @ghost ${answerSuffixOf(error)}: the webhook was deleted or webhook-url is mistyped (create a new incoming webhook), there is no Mattermost user @ghost, the message is empty, or payload's priority or type is invalid (priority needs priority.priority; type must not start with "system_").`,
    );
  });

  it('403 to the private channel: the lock or the channel, not the bot', async () => {
    const error = await rejection({ text: 'hi', channel: 'secret' }, 'secret');
    expect(error.server).toMatchObject(general(403));
    expect(error.message).toBe(
      `The webhook may not post to "secret" ${answerSuffixOf(error)}: the webhook is locked to its own channel (remove channel/user, or untick "Lock to this channel" in its settings), or "secret" is a private channel the webhook's creator is not in.`,
    );
  });

  it('404: the channel override', async () => {
    const error = await rejection({ text: 'hi', channel: '~nope' }, '~nope');
    expect(error.server).toMatchObject(general(404));
    expect(error.message).toBe(
      `Channel "nope" does not exist in the webhook's team: use the channel's name from its URL (not its display name), or a webhook of the right team ${answerSuffixOf(error)}.`,
    );
  });

  it('501: webhooks disabled', async () => {
    server.config.enableIncomingWebhooks = false;
    const error = await rejection({ text: 'hi' });
    expect(error.server).toMatchObject(general(501));
    expect(error.message).toContain('Incoming webhooks are disabled on this Mattermost server');
  });

  it('500: the post was refused, not retried', async () => {
    const error = await rejection({ text: 'hi', type: 'nonsense' });
    expect(error.server).toMatchObject(general(500));
    expect(error.message).toBe(
      `Mattermost refused to create the webhook's post ${answerSuffixOf(error)}; its type "nonsense" is the likely cause: payload type must be empty, "slack_attachment" or start with "custom_"; it was not retried (see the server logs for the request id).`,
    );
    expect(server.requestsTo('POST', `/hooks/${hook.id}`)).toHaveLength(1);
  });

  it('500 with the id blanked (hardened mode): still says what was refused, not retried', async () => {
    server.config.hardened = true;
    const error = await rejection({ text: 'hi', type: 'nonsense' });
    expect(error.server).toMatchObject({ status: 500 });
    expect(error.server?.id).toBeUndefined();
    expect(error.message).toBe(
      `Mattermost refused to create the webhook's post (500 Internal Server Error, request ${error.server?.requestId}); its type "nonsense" is the likely cause: payload type must be empty, "slack_attachment" or start with "custom_"; it was not retried (see the server logs for the request id).`,
    );
    expect(server.requestsTo('POST', `/hooks/${hook.id}`)).toHaveLength(1);
  });

  it('500 with the id blanked and no type: not retried, and says the post may exist', async () => {
    server.config.hardened = true;
    server.inject({ path: `/hooks/${hook.id}`, status: 500, times: 1 });
    const error = await rejection({ text: 'hi' });
    expect(error.server?.id).toBeUndefined();
    expect(error.message).toBe(
      `Mattermost failed to create the webhook's post (500 Internal Server Error, request ${error.server?.requestId}) and did not say why (hardened mode hides it); it was not retried (a webhook post cannot be repeated safely): check the channel, and the server logs for the request id, before running again.`,
    );
    expect(server.requestsTo('POST', `/hooks/${hook.id}`)).toHaveLength(1);
  });

  it('a body that does not decode', async () => {
    server.inject({
      path: `/hooks/${hook.id}`,
      status: 400,
      body: { id: 'web.incoming_webhook.decode.app_error', message: 'x', status_code: 400 },
    });
    const error = await rejection({ text: 'hi' });
    expect(error.message).toMatch(/^The webhook could not read the message as JSON/);
  });
});
