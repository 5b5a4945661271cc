import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionError } from '../src/errors.js';
import { createApiClient, type MattermostApi } from '../src/mattermost/api.js';
import { createHttp, type Http, type HttpSettings } from '../src/mattermost/http.js';
import { MattermostTestServer, type User } from './support/mattermost-server.js';
import { actionErrorOf, answerSuffixOf } from './support/server-answer.js';

let server: MattermostTestServer;
let http: Http;
let api: MattermostApi;
let logs: string[];
let bot: User;
let token: string;
let jo: User;
let ids: { team: string; builds: string; hidden: string; otherTeamChannel: string };
const secrets: string[] = [];
const printed: string[] = [];

function client(settings: Partial<HttpSettings> = {}, withToken = token): MattermostApi {
  http.dispose();
  http = createHttp({
    retries: 3,
    timeoutSeconds: 5,
    log: (line) => {
      logs.push(line);
      printed.push(line);
    },
    sleep: async () => undefined,
    random: () => 0.5,
    ...settings,
  });
  return createApiClient(http, server.url, withToken);
}

beforeEach(async () => {
  server = await MattermostTestServer.start();
  const team = server.addTeam({ name: 'dev' });
  server.addTeam({ name: 'ops' });
  const created = server.addBot({ username: 'notifier', teams: ['dev'] });
  bot = created.user;
  token = created.token;
  secrets.push(token);
  jo = server.addUser({ username: 'jo', email: 'jo@example.com', teams: ['dev'] });
  const builds = server.addChannel({ team: 'dev', name: 'builds', members: [bot.id, jo.id] });
  const hidden = server.addChannel({ team: 'dev', name: 'hidden', type: 'P', members: [jo.id] });
  const otherTeamChannel = server.addChannel({ team: 'ops', name: 'alerts', members: [jo.id] });
  ids = {
    team: team.id,
    builds: builds.id,
    hidden: hidden.id,
    otherTeamChannel: otherTeamChannel.id,
  };
  logs = [];
  http = createHttp({ retries: 0, timeoutSeconds: 5, log: () => undefined });
  api = client();
});

afterEach(async () => {
  http.dispose();
  await server.stop();
});

afterAll(() => {
  expect(printed.length).toBeGreaterThan(20);
  expect(printed.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
});

async function rejection(promise: Promise<unknown>): Promise<ActionError> {
  const error = await actionErrorOf(promise);
  printed.push(error.message);
  return error;
}

describe('requests', () => {
  it('sends the bot token, JSON headers and a User-Agent', async () => {
    expect(await api.getMe()).toMatchObject({ id: bot.id, username: 'notifier', is_bot: true });
    await api.getUsersByUsernames(['jo']);
    const [get] = server.requestsTo('GET', '/api/v4/users/me');
    const [post] = server.requestsTo('POST', '/api/v4/users/usernames');
    expect(get?.headers.authorization).toBe(`Bearer ${token}`);
    expect(get?.headers.accept).toBe('application/json');
    expect(get?.headers['user-agent']).toMatch(/^mattermost-notify/);
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.json).toEqual(['jo']);
  });

  it('a rejected token: says where tokens come from', async () => {
    const error = await rejection(client({}, 'wrong-token').getMe());
    expect(error.message).toBe(
      `Mattermost rejected the token ${answerSuffixOf(error)}: check token (a bot token from System Console → Integrations → Bot Accounts, or a personal access token) and server-url.`,
    );
    expect(error.server?.id).toBe('api.context.session_expired.app_error');
  });

  it('an HTML 502 from a proxy becomes one short line after the retries', async () => {
    server.inject({
      path: '/api/v4/users/me',
      status: 502,
      times: 4,
      body: `<html>${'<p>bad gateway</p>'.repeat(100)}</html>`,
    });
    const error = await rejection(api.getMe());
    expect(error.message).toMatch(
      /^Reading the bot's own user failed: Mattermost or a proxy in front of it is unavailable \(502 Bad Gateway, request \w+\); try again later\.$/,
    );
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(4);
  });

  it('a hardened-mode 500 (no id)', async () => {
    server.config.hardened = true;
    server.inject({ path: '/api/v4/channels/direct', status: 500 });
    const error = await rejection(api.createDirectChannel(bot.id, jo.id, '@jo'));
    expect(error.message).toMatch(
      /^Opening a direct message with @jo failed: the server had an internal error \(500 Internal Server Error, request \w+\); see the Mattermost server logs\.$/,
    );
    expect(server.requestsTo('POST', '/api/v4/channels/direct')).toHaveLength(1);
  });

  it('a 200 that is not JSON is not the Mattermost API', async () => {
    server.inject({ path: '/api/v4/users/me', status: 200, body: '<html>login</html>' });
    const error = await rejection(api.getMe());
    expect(error.message).toBe(
      "Reading the bot's own user failed: the answer (200) is not JSON, so this is not the Mattermost API: check server-url.",
    );
  });
});

describe('users', () => {
  it('looks many usernames up in one request; unknown ones are absent', async () => {
    const users = await api.getUsersByUsernames(['jo', 'ghost', 'notifier']);
    expect(users.map((user) => user.username).sort()).toEqual(['jo', 'notifier']);
    expect(await api.getUsersByUsernames([])).toEqual([]);
    expect(server.requestsTo('POST', '/api/v4/users/usernames')).toHaveLength(1);
  });

  it('finds a user by email', async () => {
    expect(await api.getUserByEmail('jo@example.com')).toMatchObject({ id: jo.id, username: 'jo' });
    expect(server.requestsTo('GET', '/api/v4/users/email/jo@example.com')).toHaveLength(1);
  });

  it('emails hidden from the bot: the contract message, with the request id', async () => {
    server.config.showEmailAddress = false;
    const error = await rejection(api.getUserByEmail('jo@example.com'));
    expect(error.message).toBe(
      `Mattermost hides email addresses from this bot ${answerSuffixOf(error)}: turn on Show Email Address, make the bot a system admin, or use user: instead.`,
    );
    expect(error.message).toContain(
      '(403 api.user.get_user_by_email.permissions.app_error, request ',
    );
  });

  it('no user with that email', async () => {
    const error = await rejection(api.getUserByEmail('nobody@example.com'));
    expect(error.message).toBe(
      `No Mattermost user with email nobody@example.com ${answerSuffixOf(error)}.`,
    );
    expect(error.message).toMatch(/^No Mattermost user with email nobody@example\.com \(404 /);
  });
});

describe('channels', () => {
  it('reads a channel by id and by team/name', async () => {
    expect(await api.getChannel(ids.builds)).toMatchObject({
      id: ids.builds,
      name: 'builds',
      team_id: ids.team,
    });
    expect(await api.getChannelByName('dev', 'builds')).toMatchObject({
      id: ids.builds,
      type: 'O',
    });
  });

  it('channel id unknown', async () => {
    const error = await rejection(api.getChannel('abcdefghijklmnopqrstuvwxyz'));
    expect(error.message).toBe(
      `No channel with id abcdefghijklmnopqrstuvwxyz ${answerSuffixOf(error)}: check the channel id.`,
    );
  });

  it('private channel by id the bot is not in', async () => {
    const error = await rejection(api.getChannel(ids.hidden));
    expect(error.message).toBe(
      `The bot cannot read channel ${ids.hidden} ${answerSuffixOf(error)}: add the bot to the channel (and its team), or check the channel id.`,
    );
  });

  it.each(['missing', 'hidden'])(
    'channel name not found or private (%s): add the bot',
    async (name) => {
      const error = await rejection(api.getChannelByName('dev', name));
      expect(error.server?.id).toBe('app.channel.get_by_name.missing.app_error');
      expect(error.message).toBe(
        `Channel dev/${name} was not found, or it is private and the bot is not in it ${answerSuffixOf(error)}: check the name (the one in the channel's URL) or add the bot to the channel.`,
      );
    },
  );

  it('team the bot is not in', async () => {
    const error = await rejection(api.getChannelByName('ops', 'alerts'));
    expect(error.message).toBe(
      `The bot is not a member of team "ops" ${answerSuffixOf(error)}: add the bot to the team.`,
    );
  });

  it('unknown team', async () => {
    const error = await rejection(api.getChannelByName('nope', 'builds'));
    expect(error.message).toBe(
      `There is no team "nope" ${answerSuffixOf(error)}: set team (or write team/channel) using the team's name from its URL.`,
    );
  });

  it('opens a direct message channel (idempotent)', async () => {
    const first = await api.createDirectChannel(bot.id, jo.id, '@jo');
    const again = await api.createDirectChannel(bot.id, jo.id, '@jo');
    expect(first).toMatchObject({ type: 'D' });
    expect(again.id).toBe(first.id);
    expect(server.requestsTo('POST', '/api/v4/channels/direct')[0]?.json).toEqual([bot.id, jo.id]);
  });

  it('direct message to an unknown user id', async () => {
    const error = await rejection(
      api.createDirectChannel(bot.id, 'abcdefghijklmnopqrstuvwxyz', 'jo@example.com'),
    );
    expect(error.message).toBe(
      `Mattermost has no user for jo@example.com ${answerSuffixOf(error)}: check the name.`,
    );
  });

  it('direct messages restricted to shared teams', async () => {
    server.config.restrictDirectMessage = 'team';
    const loner = server.addUser({ username: 'loner', teams: ['ops'] });
    const error = await rejection(api.createDirectChannel(bot.id, loner.id, '@loner'));
    expect(error.server?.id).toBe(
      'api.channel.create_channel.direct_channel.team_restricted_error',
    );
    expect(error.message).toBe(
      `Direct messages on this server are limited to users who share a team, and the bot shares none with @loner ${answerSuffixOf(error)}: add the bot to one of their teams.`,
    );
  });
});

describe('posts', () => {
  const newPost = (fields: Partial<Parameters<MattermostApi['createPost']>[0]> = {}) => ({
    channel_id: ids.builds,
    message: 'Deployed',
    pending_post_id: `${bot.id}:${Math.random()}`,
    ...fields,
  });

  it('creates a post and sends the fields as given', async () => {
    const post = await api.createPost(newPost({ props: { attachments: [] }, root_id: undefined }));
    expect(post).toMatchObject({ channel_id: ids.builds, message: 'Deployed', root_id: '' });
    const sent = server.requestsTo('POST', '/api/v4/posts')[0]?.json as Record<string, unknown>;
    expect(sent).toMatchObject({
      channel_id: ids.builds,
      message: 'Deployed',
      props: { attachments: [] },
    });
    expect(sent.pending_post_id).toMatch(new RegExp(`^${bot.id}:`));
  });

  it('a dropped connection after the save is retried with the same pending_post_id: one post', async () => {
    server.inject({ method: 'POST', path: '/api/v4/posts', drop: true, afterHandling: true });
    const post = await api.createPost(newPost());
    const sent = server.requestsTo('POST', '/api/v4/posts');
    expect(sent).toHaveLength(2);
    const keys = sent.map(
      (request) => (request.json as { pending_post_id?: string }).pending_post_id,
    );
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(server.posts({ channel_id: ids.builds }).map((saved) => saved.id)).toEqual([post.id]);
  });

  it('a timed-out post still being saved: the retry waits out "pending", then gets the same post', async () => {
    server.inject({ method: 'POST', path: '/api/v4/posts', delayMs: 1500 });
    const slow = client({ timeoutSeconds: 1, retries: 6, sleep: undefined, random: () => 0.2 });
    const post = await slow.createPost(newPost());
    expect(logs.some((line) => line.endsWith('500 api.post.deduplicate_create_post.pending'))).toBe(
      true,
    );
    expect(server.posts({ channel_id: ids.builds }).map((saved) => saved.id)).toEqual([post.id]);
  });

  it('root-id that is not a thread root', async () => {
    const root = await api.createPost(newPost());
    const reply = await api.createPost(newPost({ root_id: root.id }));
    const error = await rejection(api.createPost(newPost({ root_id: reply.id })));
    expect(error.message).toBe(
      `root-id ${reply.id} is not the root of a thread in channel ${ids.builds} ${answerSuffixOf(error)}: give the id of the thread's first post, in the same channel.`,
    );
  });

  it('root-id in another channel', async () => {
    const elsewhere = server.addPost({
      channel_id: ids.otherTeamChannel,
      user_id: jo.id,
      message: 'x',
    });
    const error = await rejection(api.createPost(newPost({ root_id: elsewhere.id })));
    expect(error.message).toBe(
      `root-id ${elsewhere.id} is a post in another channel than ${ids.builds} ${answerSuffixOf(error)}: reply in the root post's channel.`,
    );
  });

  it('message over the server limit', async () => {
    server.config.maxPostSize = 10;
    const error = await rejection(api.createPost(newPost({ message: 'x'.repeat(11) })));
    expect(error.message).toBe(
      `The message is longer than the server's limit (MaxPostSize) ${answerSuffixOf(error)}: shorten the message.`,
    );
  });

  it('props over the server limit', async () => {
    server.inject({
      method: 'POST',
      path: '/api/v4/posts',
      status: 400,
      body: { id: 'model.post.is_valid.props.app_error', message: 'x', status_code: 400 },
    });
    const error = await rejection(api.createPost(newPost()));
    expect(error.message).toMatch(
      /^The post's props are larger than the server accepts \(400 model\.post\.is_valid\.props\.app_error, request \w+\): shorten payload \(props and attachments\)\.$/,
    );
  });

  it('a channel the bot is not in', async () => {
    const error = await rejection(api.createPost(newPost({ channel_id: ids.hidden })));
    expect(error.message).toBe(
      `Channel ${ids.hidden} does not exist or the bot is not in it ${answerSuffixOf(error)}: check the channel id, or add the bot to the channel.`,
    );
  });

  it('a channel id that does not exist answers 403 too, and is explained as either', async () => {
    const unknown = 'abcdefghijklmnopqrstuvwxyz';
    const error = await rejection(api.createPost(newPost({ channel_id: unknown })));
    expect(error.server).toMatchObject({ status: 403, id: 'api.context.permissions.app_error' });
    expect(error.message).toBe(
      `Channel ${unknown} does not exist or the bot is not in it ${answerSuffixOf(error)}: check the channel id, or add the bot to the channel.`,
    );
  });

  it('reads and edits a post', async () => {
    const post = await api.createPost(newPost());
    expect(await api.getPost(post.id)).toMatchObject({ id: post.id, message: 'Deployed' });
    const edited = await api.patchPost(post.id, { message: 'Deployed ✅', props: { a: 1 } });
    expect(edited).toMatchObject({ id: post.id, message: 'Deployed ✅', props: { a: 1 } });
    expect(server.requestsTo('PUT', `/api/v4/posts/${post.id}/patch`)[0]?.json).toEqual({
      message: 'Deployed ✅',
      props: { a: 1 },
    });
  });

  it('no such post to read (root-id / update-post-id)', async () => {
    const error = await rejection(api.getPost('abcdefghijklmnopqrstuvwxyz'));
    expect(error.message).toBe(
      `There is no post abcdefghijklmnopqrstuvwxyz ${answerSuffixOf(error)}: check root-id or update-post-id (the post may have been deleted).`,
    );
  });

  it('a post in a channel the bot cannot read', async () => {
    const hidden = server.addPost({ channel_id: ids.hidden, user_id: jo.id, message: 'x' });
    const error = await rejection(api.getPost(hidden.id));
    expect(error.message).toBe(
      `The bot cannot read post ${hidden.id} ${answerSuffixOf(error)}: add the bot to the post's channel.`,
    );
  });

  it('no such post to edit: a 403, explained as either', async () => {
    const error = await rejection(api.patchPost('abcdefghijklmnopqrstuvwxyz', { message: 'x' }));
    expect(error.server).toMatchObject({ status: 403 });
    expect(error.message).toBe(
      `Post abcdefghijklmnopqrstuvwxyz does not exist or the bot cannot edit it ${answerSuffixOf(error)}: check update-post-id; a bot edits only its own posts unless it may edit others' posts.`,
    );
  });

  it('no such post to edit, where a server answers 404', async () => {
    server.inject({ method: 'PUT', path: /\/patch$/, status: 404 });
    const error = await rejection(api.patchPost('abcdefghijklmnopqrstuvwxyz', { message: 'x' }));
    expect(error.message).toBe(
      `There is no post abcdefghijklmnopqrstuvwxyz to edit ${answerSuffixOf(error)}: check update-post-id (the post may have been deleted).`,
    );
  });

  it("someone else's post", async () => {
    const theirs = server.addPost({ channel_id: ids.builds, user_id: jo.id, message: 'x' });
    const error = await rejection(api.patchPost(theirs.id, { message: 'y' }));
    expect(error.message).toBe(
      `Post ${theirs.id} does not exist or the bot cannot edit it ${answerSuffixOf(error)}: check update-post-id; a bot edits only its own posts unless it may edit others' posts.`,
    );
  });

  it('an edit over the server limit', async () => {
    const post = await api.createPost(newPost());
    server.config.maxPostSize = 5;
    const error = await rejection(api.patchPost(post.id, { message: 'too long' }));
    expect(error.server?.id).toBe('model.post.is_valid.message_length.app_error');
  });
});

describe('channel names', () => {
  it('a name the server refuses as a URL parameter (400)', async () => {
    const error = await rejection(api.getChannelByName('dev', 'my channel'));
    expect(error.message).toBe(
      `"dev/my channel" is not a team and channel name Mattermost accepts ${answerSuffixOf(error)}: use the names from the channel's URL (lowercase letters, digits, - and _).`,
    );
  });
});

describe('files', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 13, 10]);

  it('uploads one file per multipart request (channel_id, then the file) and returns its id', async () => {
    const fileIds = [
      await api.uploadFile(ids.builds, {
        name: 'report "final".txt',
        content: Buffer.from('all green\r\n--not-a-boundary\r\n'),
      }),
      await api.uploadFile(ids.builds, { name: 'shot.png', content: png }),
    ];
    const stored = server.uploadedFiles();
    expect(stored.map((file) => file.id)).toEqual(fileIds);
    expect(stored.map((file) => file.name)).toEqual(['report %22final%22.txt', 'shot.png']);
    expect(stored[0]?.content.toString()).toBe('all green\r\n--not-a-boundary\r\n');
    expect(stored[1]?.content.equals(png)).toBe(true);
    expect(stored.every((file) => file.channel_id === ids.builds)).toBe(true);
    expect(server.requestsTo('POST', '/api/v4/files')).toHaveLength(2);
  });

  it('attachments disabled on the server', async () => {
    server.config.enableFileAttachments = false;
    const error = await rejection(
      api.uploadFile(ids.builds, { name: 'a.txt', content: Buffer.from('a') }),
    );
    expect(error.message).toBe(
      `File attachments are disabled on this Mattermost server ${answerSuffixOf(error)}: a system admin can enable them (System Console → Site Configuration → File Sharing and Downloads), or drop files.`,
    );
  });

  it('a channel the bot cannot upload to', async () => {
    const error = await rejection(
      api.uploadFile(ids.hidden, { name: 'a.txt', content: Buffer.from('a') }),
    );
    expect(error.message).toBe(
      `Channel ${ids.hidden} does not exist or the bot cannot upload files to it ${answerSuffixOf(error)}: check the channel id, or add the bot to the channel.`,
    );
  });

  it('a file over the size limit (MaxFileSize + 512 for the whole request)', async () => {
    server.config.maxFileSize = 100;
    const error = await rejection(
      api.uploadFile(ids.builds, { name: 'big.bin', content: Buffer.alloc(800) }),
    );
    expect(error.message).toBe(
      `big.bin is larger than the server accepts ${answerSuffixOf(error)}: attach a smaller file or raise Maximum File Size (System Console → File Sharing and Downloads).`,
    );
  });
});

describe('getMaxPostSize', () => {
  it("reads the server's MaxPostSize (a string)", async () => {
    server.config.maxPostSize = 65535;
    expect(await api.getMaxPostSize()).toBe(65535);
    expect(server.requestsTo('GET', '/api/v4/config/client')[0]?.query).toEqual({ format: 'old' });
  });

  it.each([{}, { MaxPostSize: 'lots' }, { MaxPostSize: '' }])(
    'falls back to 16383 for %j',
    async (body) => {
      server.inject({ path: '/api/v4/config/client', status: 200, body });
      expect(await api.getMaxPostSize()).toBe(16383);
    },
  );
});
