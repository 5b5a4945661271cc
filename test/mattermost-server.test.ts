import { Agent, request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type MattermostTestServer,
  type ServerConfig,
  startMattermostTestServer,
} from './support/mattermost-server.js';

interface Res {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
  json: any;
}

let server: MattermostTestServer;
let f: ReturnType<typeof seed>;

function seed(s: MattermostTestServer) {
  s.addTeam({ name: 'eng' });
  s.addTeam({ name: 'ops' });
  const bot = s.addBot({ username: 'ci-bot', teams: ['eng'] });
  const admin = s.addBot({ username: 'admin-bot', systemAdmin: true });
  const alice = s.addUser({ username: 'alice', email: 'Alice@Example.com', teams: ['eng'] });
  const bob = s.addUser({ username: 'bob', teams: ['ops'] }); // shares no team with the bot
  const carol = s.addUser({ username: 'carol', teams: ['eng'] });
  const town = s.addChannel({ team: 'eng', name: 'town-square', members: [bot.user.id, alice.id] });
  const builds = s.addChannel({ team: 'eng', name: 'builds', members: [alice.id] });
  const secret = s.addChannel({ team: 'eng', name: 'secret', type: 'P', members: [alice.id] });
  const opsAlerts = s.addChannel({ team: 'ops', name: 'ops-alerts', members: [bob.id] });
  const hook = s.addIncomingWebhook({ channel: town.id, creator: alice.id });
  return { bot, admin, alice, bob, carol, town, builds, secret, opsAlerts, hook, token: bot.token };
}

async function start(config: Partial<ServerConfig> = {}) {
  server = await startMattermostTestServer(config);
  f = seed(server);
}

async function send(url: string, init: RequestInit = {}): Promise<Res> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function api(
  method: string,
  path: string,
  opts: {
    token?: string | null;
    json?: unknown;
    body?: RequestInit['body'];
    headers?: RequestInit['headers'];
  } = {},
): Promise<Res> {
  const headers = new Headers(opts.headers);
  const token = opts.token === undefined ? f.token : opts.token;
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers.set('Content-Type', 'application/json');
  }
  return send(`${server.url}/api/v4${path}`, { method, headers, body });
}

function hook(payload: unknown, url = f.hook.url): Promise<Res> {
  return send(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

const createPost = (body: Record<string, unknown>) =>
  api('POST', '/posts', { json: { channel_id: f.town.id, ...body } });

function expectError(res: Res, status: number, id: string) {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({
    id,
    message: expect.any(String),
    detailed_error: '',
    request_id: res.headers.get('x-request-id'),
    status_code: status,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fakeId = (c: string) => c.repeat(26);

/** One row per error: a name, the request (set-up included), the status and id expected. */
type ErrorCase = [string, () => Promise<Res>, number, string];

/**
 * Rows whose request the OpenAPI check refuses too (they are here to see the server refuse
 * them): the test claims those violations, and only those rows may have any.
 */
const SPEC_REFUSES = new Set([
  'not JSON',
  'text of the wrong type',
  '?access_token=',
  'an unknown route',
  'a path outside the API',
  'config/client without format=old',
  'a DM body of one id',
  'a DM body that is no array',
  'a group of two',
  'a message that is no string',
]);

function claimSpecRefusal(name: string): void {
  const refused = server.takeRequestViolations().map((v) => v.problem);
  expect(refused.length > 0, `${name}: ${refused.join('; ')}`).toBe(SPEC_REFUSES.has(name));
}

beforeEach(() => start());
afterEach(() => server.stop());

describe('incoming webhooks', () => {
  it('posts JSON as the hook creator and answers 200 text/plain "ok"', async () => {
    const res = await hook({ text: 'hello' });
    expect([res.status, res.text]).toEqual([200, 'ok']);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('x-request-id')).toMatch(/^[a-z0-9]{26}$/);
    expect(server.posts()).toEqual([
      expect.objectContaining({
        channel_id: f.town.id,
        user_id: f.alice.id,
        message: 'hello',
        type: '',
        via: 'webhook',
        props: expect.objectContaining({ from_webhook: 'true' }),
      }),
    ]);
  });

  it('accepts JSON without a content type and a form field "payload"', async () => {
    const raw = new TextEncoder().encode('{"text":"raw"}'); // a byte body gets no Content-Type
    const form = new URLSearchParams({ payload: '{"text":"form"}' });
    expect((await send(f.hook.url, { method: 'POST', body: raw })).status).toBe(200);
    expect((await send(f.hook.url, { method: 'POST', body: form })).status).toBe(200);
    expect(server.posts().map((p) => p.message)).toEqual(['raw', 'form']);
  });

  it('retries after escaping raw newlines and tabs in text values', async () => {
    const sloppy = await send(f.hook.url, { method: 'POST', body: '{"text": "a\nb\tc"}' });
    expect(sloppy.status).toBe(200);
    // Not JSON to a strict reader (nor to the OpenAPI check): the server's second try reads it.
    expect(server.takeRequestViolations().map((v) => v.problem)).toEqual([
      'the body is not valid application/json',
    ]);
    expect(server.posts()[0]?.message).toBe('a\nb\tc');
  });

  // biome-ignore format: a table reads better unwrapped
  const errors: ErrorCase[] = [
    ['not JSON', () => send(f.hook.url, { method: 'POST', body: 'nope' }), 400, 'model.incoming_hook.parse_data.app_error'],
    ['text of the wrong type', () => hook({ text: 5 }), 400, 'model.incoming_hook.parse_data.app_error'],
    ['empty text, no attachments', () => hook({ text: '' }), 400, 'web.incoming_webhook.text.app_error'],
    ['unknown hook', () => hook({ text: 'x' }, `${server.url}/hooks/${fakeId('a')}`), 400, 'web.incoming_webhook.invalid.app_error'],
    ['deleted hook', () => { server.deleteIncomingWebhook(f.hook.id); return hook({ text: 'x' }); }, 400, 'web.incoming_webhook.invalid.app_error'],
    ['unknown @user', () => hook({ text: 'x', channel: '@nobody' }), 400, 'web.incoming_webhook.user.app_error'],
    ['unknown channel', () => hook({ text: 'x', channel: 'nowhere' }), 404, 'web.incoming_webhook.channel.app_error'],
    ['channel of another team', () => hook({ text: 'x', channel: '#ops-alerts' }), 404, 'web.incoming_webhook.channel.app_error'],
    ['locked hook, other channel', () => hook({ text: 'x', channel: 'builds' }, server.addIncomingWebhook({ channel: f.town.id, creator: f.alice.id, channelLocked: true }).url), 403, 'web.incoming_webhook.channel_locked.app_error'],
    ['private channel the creator cannot read', () => hook({ text: 'x', channel: 'secret' }, server.addIncomingWebhook({ channel: f.town.id, creator: f.bot.user.id }).url), 403, 'web.incoming_webhook.permissions.app_error'],
    ['priority without priority.priority', () => hook({ text: 'x', priority: { requested_ack: true } }), 400, 'api.context.invalid_param.app_error'],
    ['a system_ type', () => hook({ text: 'x', type: 'system_join_channel' }), 400, 'api.context.invalid_param.app_error'],
    ['webhooks disabled', () => { server.config.enableIncomingWebhooks = false; return hook({ text: 'x' }); }, 501, 'web.incoming_webhook.disabled.app_error'],
    ['a type Post.IsValid refuses', () => hook({ text: 'x', type: 'bogus' }), 500, 'api.post.create_webhook_post.creating.app_error'],
  ];
  it.each(errors)('refuses %s (older servers: the specific id)', async (name, call, status, id) => {
    server.config.webhookErrors = 'specific';
    expectError(await call(), status, id);
    claimSpecRefusal(name);
    expect(server.posts()).toEqual([]);
  });

  it.each(errors)(
    'refuses %s (current servers: wrapped, same status)',
    async (name, call, status, id) => {
      const res = await call();
      claimSpecRefusal(name);
      const decode = id === 'model.incoming_hook.parse_data.app_error';
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({
        id: decode
          ? 'web.incoming_webhook.decode.app_error'
          : 'web.incoming_webhook.general.app_error',
        status_code: status,
      });
      expect(String((res.json as { message: unknown }).message)).toMatch(
        /incoming webhook [a-z0-9]{26}\.$/,
      );
      expect(server.posts()).toEqual([]);
    },
  );

  it('posts to a locked hook’s own channel, and to private channels its creator is in', async () => {
    const locked = server.addIncomingWebhook({
      channel: f.town.id,
      creator: f.alice.id,
      channelLocked: true,
    });
    expect((await hook({ text: 'x', channel: 'town-square' }, locked.url)).status).toBe(200);
    expect((await hook({ text: 'x', channel: 'secret' })).status).toBe(200);
  });

  it('overrides the channel by name, #name and @user (a DM with the creator)', async () => {
    await hook({ text: 'a', channel: 'builds' });
    await hook({ text: 'b', channel: '#secret' });
    await hook({ text: 'c', channel: '@bob' });
    const dm = server.directChannel(f.bob.id, f.alice.id);
    expect(dm).toMatchObject({ type: 'D', name: [f.alice.id, f.bob.id].sort().join('__') });
    expect(server.posts().map((p) => p.channel_id)).toEqual([f.builds.id, f.secret.id, dm?.id]);
  });

  it('keeps attachments and priority, and converts Slack markup', async () => {
    const attachments = [{ fallback: 'f', text: '<!here> see <https://ci.example|the run>' }];
    await hook({ text: '<!channel> done', attachments, priority: { priority: 'urgent' } });
    await hook({ text: '', attachments: [] });
    const [withAttachments, empty] = server.posts();
    expect(withAttachments).toMatchObject({
      message: '@channel done',
      type: 'slack_attachment',
      props: { attachments: [{ fallback: 'f', text: '@here see [the run](https://ci.example)' }] },
      metadata: { priority: { priority: 'urgent' } },
    });
    expect(empty).toMatchObject({ message: '', type: '' });
  });

  it('honours username and icon only when the override settings are on', async () => {
    const payload = {
      text: 'x',
      username: 'CI',
      icon_url: 'https://i/x.png',
      icon_emoji: ':rocket:',
    };
    await hook(payload);
    server.config.enablePostUsernameOverride = true;
    server.config.enablePostIconOverride = true;
    await hook(payload);
    const [off, on] = server.posts();
    expect(Object.keys(off?.props ?? {}).filter((k) => k.startsWith('override_'))).toEqual([]);
    expect(on?.props).toMatchObject({
      override_username: 'CI',
      override_icon_url: 'https://i/x.png',
      override_icon_emoji: ':rocket:',
    });
  });

  it('hard-cuts long text every maxPostSize runes, attachments on the last piece', async () => {
    server.config.maxPostSize = 4;
    await hook({ text: '😀😀😀😀😀ab🎉cd', attachments: [{ text: 't' }] });
    const posts = server.posts();
    expect(posts.map((p) => p.message)).toEqual(['😀😀😀😀', '😀ab🎉', 'cd']);
    expect(posts.map((p) => 'attachments' in p.props)).toEqual([false, false, true]);
  });
});

describe('REST API', () => {
  it('accepts Bearer and Token in any case', async () => {
    expect((await api('GET', '/users/me')).json).toMatchObject({ id: f.bot.user.id, is_bot: true });
    const asToken = await api('GET', '/users/me', {
      token: null,
      headers: { authorization: `token ${f.token}` },
    });
    expect(asToken.status).toBe(200);
  });

  it('looks users up by usernames (missing ones omitted), username and email', async () => {
    const batch = await api('POST', '/users/usernames', { json: ['alice', 'ghost', 'bob'] });
    expect(batch.json.map((u: { username: string }) => u.username)).toEqual(['alice', 'bob']);
    expect((await api('GET', '/users/username/alice')).json.id).toBe(f.alice.id);
    expect((await api('GET', '/users/email/alice@example.COM')).json.id).toBe(f.alice.id);
  });

  it('blanks emails when ShowEmailAddress is off, except for system admins', async () => {
    server.config.showEmailAddress = false;
    expect((await api('POST', '/users/usernames', { json: ['alice'] })).json[0].email).toBe('');
    expect((await api('GET', '/users/username/alice')).json.email).toBe('');
    const asAdmin = await api('GET', '/users/email/alice@example.com', { token: f.admin.token });
    expect(asAdmin.json.email).toBe('Alice@Example.com');
  });

  it('creates a DM idempotently in either order, also with oneself', async () => {
    const first = await api('POST', '/channels/direct', { json: [f.bot.user.id, f.alice.id] });
    const again = await api('POST', '/channels/direct', { json: [f.alice.id, f.bot.user.id] });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json.id).toBe(first.json.id);
    expect(first.json).toMatchObject({
      type: 'D',
      name: [f.bot.user.id, f.alice.id].sort().join('__'),
    });
    const self = await api('POST', '/channels/direct', { json: [f.bot.user.id, f.bot.user.id] });
    expect(self.json.name).toBe(`${f.bot.user.id}__${f.bot.user.id}`);
    server.config.restrictDirectMessage = 'team';
    expect(
      (await api('POST', '/channels/direct', { json: [f.bot.user.id, f.carol.id] })).status,
    ).toBe(201);
  });

  it('creates group channels idempotently, adding the caller', async () => {
    const group = await api('POST', '/channels/group', { json: [f.alice.id, f.carol.id] });
    // The files ask for at least 3 ids; createGroupChannel (`server/channels/api4/channel.go`)
    // adds the caller first, so 2 others are enough. Nothing in the action sends this.
    expect(server.takeRequestViolations().map((v) => v.problem)).toEqual([
      'body must NOT have fewer than 3 items',
    ]);
    const again = await api('POST', '/channels/group', {
      json: [f.carol.id, f.bot.user.id, f.alice.id],
    });
    expect([group.status, group.json.type]).toEqual([201, 'G']);
    expect(again.json.id).toBe(group.json.id);
  });

  it('gets channels by id (members, open channels of the team) and by team and name', async () => {
    expect((await api('GET', `/channels/${f.town.id}`)).json.name).toBe('town-square');
    expect((await api('GET', `/channels/${f.builds.id}`)).status).toBe(200);
    expect((await api('GET', '/teams/name/eng/channels/name/builds')).json.id).toBe(f.builds.id);
    const asAlice = server.addToken(f.alice.id);
    expect(
      (await api('GET', '/teams/name/eng/channels/name/secret', { token: asAlice })).status,
    ).toBe(200);
  });

  it('serves the old-format client config with MaxPostSize as a string', async () => {
    const res = await api('GET', '/config/client?format=old');
    expect(res.json).toMatchObject({ MaxPostSize: '16383', Version: expect.any(String) });
  });

  it('creates a post as the bot, with from_bot and priority', async () => {
    const res = await createPost({
      message: 'hi',
      props: { a: 1 },
      metadata: { priority: { priority: 'important' } },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^[a-z0-9]{26}$/),
      channel_id: f.town.id,
      user_id: f.bot.user.id,
      message: 'hi',
      props: { a: 1, from_bot: 'true' },
      metadata: { priority: { priority: 'important' } },
    });
    expect(server.posts()[0]?.via).toBe('api');
  });

  it('counts the message in runes and accepts a reply to a root post', async () => {
    server.config.maxPostSize = 5;
    expect((await createPost({ message: '😀'.repeat(5) })).status).toBe(201);
    const root = server.addPost({ channel_id: f.town.id, user_id: f.alice.id, message: 'root' });
    expect((await createPost({ message: 'reply', root_id: root.id })).json.root_id).toBe(root.id);
  });

  it('patches a post: props replace the whole map, edit_at is set', async () => {
    const { json: post } = await createPost({ message: 'v1', props: { a: 1, b: 2 } });
    const res = await api('PUT', `/posts/${post.id}/patch`, {
      json: { message: 'v2', props: { c: 3 } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: post.id, message: 'v2', props: { c: 3 } });
    expect(res.json.edit_at).toBeGreaterThan(0);
    expect(server.posts()[0]?.props).toEqual({ c: 3 });
    expect((await api('GET', `/posts/${post.id}`)).json.message).toBe('v2');
  });

  const seedPost = (channelId: string) =>
    server.addPost({ channel_id: channelId, user_id: f.alice.id, message: 'seeded' });
  const expired = 'api.context.session_expired.app_error';
  const forbidden = 'api.context.permissions.app_error';

  // biome-ignore format: a table reads better unwrapped
  const errors: ErrorCase[] = [
    ['no Authorization', () => api('GET', '/users/me', { token: null }), 401, expired],
    ['a bad token', () => api('GET', '/users/me', { token: 'wrong' }), 401, expired],
    ['?access_token=', () => api('GET', `/users/me?access_token=${f.token}`, { token: null }), 401, expired],
    ['an unknown route', () => api('GET', '/nope'), 404, 'api.context.404.app_error'],
    ['a path outside the API', () => send(`${server.url}/elsewhere`), 404, 'api.context.404.app_error'],
    ['a body over 300000 bytes', () => createPost({ message: 'x'.repeat(300_001) }), 413, 'api.context.request_body_too_large.app_error'],
    ['config/client without format=old', () => api('GET', '/config/client'), 501, 'api.config.client.old_format.app_error'],
    ['an unknown username', () => api('GET', '/users/username/ghost'), 404, 'app.user.get_by_username.app_error'],
    ['an unknown email', () => api('GET', '/users/email/ghost@example.com'), 404, 'app.user.missing_account.const'],
    ['email lookup with emails hidden', () => { server.config.showEmailAddress = false; return api('GET', '/users/email/alice@example.com'); }, 403, 'api.user.get_user_by_email.permissions.app_error'],
    ['email lookup with emails hidden, even unknown', () => { server.config.showEmailAddress = false; return api('GET', '/users/email/ghost@example.com'); }, 403, 'api.user.get_user_by_email.permissions.app_error'],
    ['a DM with an unknown user', () => api('POST', '/channels/direct', { json: [f.bot.user.id, fakeId('x')] }), 400, 'api.channel.create_direct_channel.invalid_user.app_error'],
    ['a DM body of one id', () => api('POST', '/channels/direct', { json: [f.bot.user.id] }), 400, 'api.context.invalid_body_param.app_error'],
    ['a DM body that is no array', () => api('POST', '/channels/direct', { json: { a: 1 } }), 400, 'api.context.invalid_body_param.app_error'],
    ['a DM across teams when restricted', () => { server.config.restrictDirectMessage = 'team'; return api('POST', '/channels/direct', { json: [f.bot.user.id, f.bob.id] }); }, 403, 'api.channel.create_channel.direct_channel.team_restricted_error'],
    ['a group of two', () => api('POST', '/channels/group', { json: [f.alice.id] }), 400, 'api.channel.create_group.bad_size.app_error'],
    ['a private channel by id', () => api('GET', `/channels/${f.secret.id}`), 403, forbidden],
    ['an open channel of another team by id', () => api('GET', `/channels/${f.opsAlerts.id}`), 403, forbidden],
    ['an unknown channel id', () => api('GET', `/channels/${fakeId('z')}`), 404, 'app.channel.get.existing.app_error'],
    ['a private channel by name', () => api('GET', '/teams/name/eng/channels/name/secret'), 404, 'app.channel.get_by_name.missing.app_error'],
    ['an unknown channel name', () => api('GET', '/teams/name/eng/channels/name/nope'), 404, 'app.channel.get_by_name.missing.app_error'],
    ['an unknown team name', () => api('GET', '/teams/name/nope/channels/name/builds'), 404, 'app.team.get_by_name.missing.app_error'],
    ['a channel of a team the bot is not in', () => api('GET', '/teams/name/ops/channels/name/ops-alerts'), 403, forbidden],
    ['a post in an open channel the bot is not in', () => createPost({ channel_id: f.builds.id, message: 'x' }), 403, forbidden],
    ['a post in an unknown channel', () => createPost({ channel_id: fakeId('q'), message: 'x' }), 403, forbidden],
    ['a message over MaxPostSize runes', () => { server.config.maxPostSize = 5; return createPost({ message: '😀'.repeat(6) }); }, 400, 'model.post.is_valid.message_length.app_error'],
    // Go marshals "<" as \u003c: 140000 bytes sent measure 840000 runes
    ['props over 800000 runes', () => createPost({ message: 'x', props: { p: '<'.repeat(140_000) } }), 400, 'model.post.is_valid.props.app_error'],
    ['more than 10 file_ids', () => createPost({ message: 'x', file_ids: Array(11).fill(fakeId('f')) }), 400, 'model.post.is_valid.file_ids.app_error'],
    ['a priority on a reply', () => createPost({ message: 'x', root_id: seedPost(f.town.id).id, metadata: { priority: { priority: 'urgent' } } }), 400, 'api.post.post_priority.priority_post_only_allowed_for_root_post.request_error'],
    ['a priority with post priority off', () => { server.config.postPriority = false; return createPost({ message: 'x', metadata: { priority: { priority: 'urgent' } } }); }, 403, 'api.post.post_priority.priority_post_not_allowed_for_user.request_error'],
    ['an unknown channel id', () => createPost({ message: 'x', channel_id: fakeId('c') }), 403, forbidden],
    ['an uppercase channel name', () => api('GET', '/teams/name/eng/channels/name/Town-Square'), 400, 'api.context.invalid_url_param.app_error'],
    ['an uppercase team name', () => api('GET', '/teams/name/ENG/channels/name/town-square'), 400, 'api.context.invalid_url_param.app_error'],
    ['a system_ post type', () => createPost({ message: 'x', type: 'system_join_channel' }), 400, 'api.context.invalid_param.app_error'],
    ['a message that is no string', () => createPost({ message: 7 }), 400, 'api.context.invalid_body_param.app_error'],
    ['an unknown root_id', () => createPost({ message: 'x', root_id: fakeId('r') }), 400, 'api.post.create_post.root_id.app_error'],
    ['a root_id that is a reply', () => createPost({ message: 'x', root_id: server.addPost({ channel_id: f.town.id, user_id: f.alice.id, message: 'r', root_id: seedPost(f.town.id).id }).id }), 400, 'api.post.create_post.root_id.app_error'],
    ['a root_id in another channel', () => createPost({ message: 'x', root_id: seedPost(f.builds.id).id }), 400, 'api.post.create_post.channel_root_id.app_error'],
    ['a patch of an unknown post', () => api('PUT', `/posts/${fakeId('p')}/patch`, { json: { message: 'x' } }), 403, forbidden],
    ['a patch of another user’s post', () => api('PUT', `/posts/${seedPost(f.town.id).id}/patch`, { json: { message: 'x' } }), 403, forbidden],
    ['a patch over MaxPostSize', () => { server.config.maxPostSize = 3; return api('PUT', `/posts/${seedPost(f.town.id).id}/patch`, { json: { message: 'long' }, token: f.admin.token }); }, 400, 'model.post.is_valid.message_length.app_error'],
    ['an unknown post', () => api('GET', `/posts/${fakeId('p')}`), 404, 'app.post.get.app_error'],
    ['a post in a private channel', () => api('GET', `/posts/${seedPost(f.secret.id).id}`), 403, forbidden],
  ];
  it.each(errors)('refuses %s', async (name, call, status, id) => {
    expectError(await call(), status, id);
    claimSpecRefusal(name);
    expect(server.posts().filter((p) => p.user_id !== f.alice.id)).toEqual([]); // alice's are seeds
  });
});

describe('pending_post_id', () => {
  it('answers 500 while the first create is saving, then 201 with the same post', async () => {
    server.inject({ method: 'POST', path: '/api/v4/posts', delayMs: 150 });
    const body = { message: 'once', pending_post_id: `${f.bot.user.id}:abc` };
    const first = createPost(body);
    await sleep(40);
    expectError(await createPost(body), 500, 'api.post.deduplicate_create_post.pending');
    const saved = await first;
    expect(saved.status).toBe(201);
    const retry = await createPost(body);
    expect([retry.status, retry.json.id]).toEqual([201, saved.json.id]);
    expect(server.posts()).toHaveLength(1);
  });

  it('forgets the key of a failed create', async () => {
    server.config.maxPostSize = 3;
    expect((await createPost({ message: 'long', pending_post_id: 'k' })).status).toBe(400);
    expect((await createPost({ message: 'ok', pending_post_id: 'k' })).status).toBe(201);
  });
});

describe('files', () => {
  const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
  const upload = (channelId: string) => {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('client_ids', 'c1');
    form.append('files', new Blob([binary]), 'blob.bin');
    return api('POST', '/files', { body: form });
  };

  it('stores a binary multipart upload and attaches it to a post', async () => {
    const res = await upload(f.town.id);
    expect([res.status, res.json.client_ids]).toEqual([201, ['c1']]);
    const [info] = res.json.file_infos;
    expect(info).toMatchObject({
      name: 'blob.bin',
      size: 512,
      extension: 'bin',
      channel_id: f.town.id,
    });
    expect(server.uploadedFiles()[0]?.content.equals(binary)).toBe(true);

    const post = await createPost({ message: 'f', file_ids: [info.id] });
    expect(post.json.file_ids).toEqual([info.id]);
    expect(post.json.metadata.files[0].id).toBe(info.id);
  });

  it('refuses uploads to a channel the bot is not in, or with attachments disabled', async () => {
    expectError(await upload(f.builds.id), 403, 'api.context.permissions.app_error');
    server.config.enableFileAttachments = false;
    expectError(await upload(f.town.id), 403, 'api.file.attachments.disabled.app_error');
    expect(server.uploadedFiles()).toEqual([]);
  });
});

describe('rate limiting', () => {
  it('GCRA headers: Limit = burst + 1, Reset = seconds to full, then a plain-text 429', async () => {
    server.config.rateLimit = { perSec: 1, maxBurst: 2 };
    const answers: Res[] = [];
    for (let i = 0; i < 3; i++) answers.push(await api('GET', '/users/me'));
    const refused = await createPost({ message: 'x' });
    const header = (name: string) => answers.map((r) => r.headers.get(name));
    expect(header('x-ratelimit-limit')).toEqual(['3', '3', '3']);
    expect(header('x-ratelimit-remaining')).toEqual(['2', '1', '0']);
    expect(header('x-ratelimit-reset')).toEqual(['1', '2', '3']);
    expect(header('retry-after')).toEqual([null, null, null]);
    expect(refused.status).toBe(429);
    expect(refused.text).toBe('limit exceeded\n');
    expect(refused.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(server.posts()).toEqual([]);
    expect(server.requests).toHaveLength(4);
    // keyed by the client address: another token, or a webhook, shares the bucket
    expect((await api('GET', '/users/me', { token: f.admin.token })).status).toBe(429);
    expect((await hook({ text: 'x' })).status).toBe(429);
  });

  it('VaryByUser adds a second set of headers, one line each', async () => {
    server.config.rateLimit = { perSec: 10, maxBurst: 5, varyByUser: true };
    await api('GET', '/users/me', { token: f.admin.token });
    const res = await api('GET', '/users/me');
    expect(res.headers.get('x-ratelimit-limit')).toBe('6, 6');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4, 5');
  });
});

describe('faults', () => {
  it('answers a status with a JSON, text or default body, `times` times', async () => {
    server.inject({ path: /^\/api\/v4\/users/, status: 503, body: { oops: true }, times: 2 });
    server.inject({
      method: 'POST',
      path: '/api/v4/posts',
      status: 502,
      body: '<html>bad gateway</html>',
    });
    server.inject({ method: 'GET', status: 500 });
    expect((await api('GET', '/users/me')).json).toEqual({ oops: true });
    expect((await api('GET', '/users/me')).status).toBe(503);
    const html = await createPost({ message: 'x' });
    expect([html.status, html.text]).toEqual([502, '<html>bad gateway</html>']);
    expect(server.posts()).toEqual([]);
    const fallback = await api('GET', '/users/me');
    expect(fallback.json).toMatchObject({
      status_code: 500,
      request_id: fallback.headers.get('x-request-id'),
    });
    expect((await api('GET', '/users/me')).status).toBe(200);
  });

  it('delays, with or without an answer of its own', async () => {
    server.inject({ path: '/api/v4/users/me', delayMs: 120 });
    let started = Date.now();
    expect((await api('GET', '/users/me')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    server.inject({ path: '/api/v4/users/me', delayMs: 120, status: 504 });
    started = Date.now();
    expect((await api('GET', '/users/me')).status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('drops the connection without an answer', async () => {
    server.inject({ path: '/api/v4/users/me', drop: true });
    await expect(api('GET', '/users/me')).rejects.toThrow();
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(1);
  });

  it('loses the response after handling: the post is saved, a retry finds it', async () => {
    server.inject({ method: 'POST', path: '/api/v4/posts', afterHandling: true, status: 502 });
    server.inject({ path: `/hooks/${f.hook.id}`, afterHandling: true, drop: true });
    const body = { message: 'x', pending_post_id: 'lost-1' };
    expect((await createPost(body)).status).toBe(502);
    const retry = await createPost(body);
    expect([retry.status, retry.json.id]).toEqual([201, server.posts()[0]?.id]);
    await expect(hook({ text: 'dropped' })).rejects.toThrow();
    expect(server.posts().map((p) => p.message)).toEqual(['x', 'dropped']);
  });

  it('hides 5xx bodies and ids in hardened mode', async () => {
    const hidden = {
      id: '',
      message: 'Internal Server Error',
      detailed_error: '',
      request_id: expect.stringMatching(/^[a-z0-9]{26}$/),
      status_code: 500,
    };
    server.config.hardened = true;
    server.inject({ path: '/api/v4/users/me', status: 503 });
    const res = await api('GET', '/users/me');
    expect([res.status, res.json]).toEqual([503, hidden]);
    server.config.enableIncomingWebhooks = false;
    const disabled = await hook({ text: 'x' });
    expect([disabled.status, disabled.json]).toEqual([500, hidden]);
  });
});

describe('the server itself', () => {
  it('records every request', async () => {
    await api('POST', '/posts?set_online=false', { json: { channel_id: f.town.id, message: 'm' } });
    const [recorded] = server.requestsTo('post', '/api/v4/posts');
    expect(recorded).toMatchObject({
      method: 'POST',
      path: '/api/v4/posts',
      query: { set_online: 'false' },
      json: { channel_id: f.town.id, message: 'm' },
      text: JSON.stringify({ channel_id: f.town.id, message: 'm' }),
    });
    expect(recorded?.headers.authorization).toBe(`Bearer ${f.token}`);
    server.clearLog();
    expect(server.requests).toEqual([]);
    expect(server.posts()).toHaveLength(1);
  });

  it('adds latencyMs to every request', async () => {
    server.config.latencyMs = 80;
    const started = Date.now();
    await api('GET', '/users/me');
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('stops promptly with a keep-alive connection open', async () => {
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/v4/users/me`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(500);
    agent.destroy();
    await start(); // so that afterEach has a server to stop
  });
});
