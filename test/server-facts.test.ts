// What a real Mattermost server does (../shared/mattermost/server-facts.md), driven through the
// action as the runner runs it, against the test server that follows those facts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from './support/action.js';
import { defaultServerConfig, MattermostTestServer } from './support/mattermost-server.js';

const POSTS = '/api/v4/posts';

let server: MattermostTestServer;
let token: string;
let botId: string;
let buildsId: string;
let hook: { id: string; url: string };
let lockedHook: { id: string; url: string };

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  botId = bot.user.id;
  const owner = server.addUser({ username: 'hook-owner', teams: ['dev'] });
  buildsId = server.addChannel({
    team: 'dev',
    name: 'town-square',
    members: [botId, owner.id],
  }).id;
  server.addChannel({ team: 'dev', name: 'other', members: [owner.id] });
  hook = server.addIncomingWebhook({ channel: buildsId, creator: owner.id });
  lockedHook = server.addIncomingWebhook({
    channel: buildsId,
    creator: owner.id,
    channelLocked: true,
  });
});

afterAll(async () => {
  await server.stop();
});

let postsBefore: number;
beforeEach(() => {
  server.clearLog();
  server.config = defaultServerConfig();
  postsBefore = server.posts().length;
});

const newPosts = () => server.posts().slice(postsBefore);
const postBodies = () =>
  server.requestsTo('POST', POSTS).map((r) => r.json as Record<string, unknown>);

function api(inputs: Record<string, string>, workspace?: string): Promise<ActionRun> {
  return runAction({
    inputs: { 'server-url': server.url, token, ...inputs },
    ...(workspace ? { workspace } : {}),
  });
}

function webhook(inputs: Record<string, string>, url = hook.url): Promise<ActionRun> {
  return runAction({ inputs: { 'webhook-url': url, message: 'deployed', ...inputs } });
}

function filesWorkspace(count: number, size: number): string {
  const workspace = mkdtempSync(join(tmpdir(), 'mm-files-'));
  for (let i = 1; i <= count; i += 1) {
    writeFileSync(join(workspace, `report-${String(i).padStart(2, '0')}.txt`), 'x'.repeat(size));
  }
  return workspace;
}

describe('1. webhook errors are wrapped by current servers: explained by status', () => {
  it('404: the channel override does not exist (general.app_error)', async () => {
    const run = await webhook({ channel: 'nope' });
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Channel "nope" does not exist in the webhook's team: use the channel's name from its URL \(not its display name\), or a webhook of the right team \(404 web\.incoming_webhook\.general\.app_error, request \w+\)\.$/,
      ),
    ]);
  });

  it('403 to a webhook names the lock or the private channel, never the bot', async () => {
    const run = await webhook({ channel: 'other' }, lockedHook.url);
    expect(run.errors[0]).toMatch(
      /^The webhook may not post to "other" \(403 web\.incoming_webhook\.general\.app_error, request \w+\): the webhook is locked to its own channel \(remove channel\/user, or untick "Lock to this channel" in its settings\), or "other" is a private channel the webhook's creator is not in\.$/,
    );
    expect(run.errors[0]).not.toContain('bot');
  });

  it('the message text of a wrapped error names the hook id; it is never printed', async () => {
    const run = await webhook({ channel: 'nope' });
    expect(run.exitCode).toBe(1);
    expect(run.log.replace(/^::add-mask::.*$/gm, '')).not.toContain(hook.id);
  });

  it('an older server sending the specific id gets the specific explanation', async () => {
    server.config.webhookErrors = 'specific';
    const run = await webhook({ channel: 'other' }, lockedHook.url);
    expect(run.errors[0]).toMatch(
      /^The webhook is locked to its own channel, so it cannot post to "other": .*\(403 web\.incoming_webhook\.channel_locked\.app_error, request \w+\)\.$/,
    );
  });
});

describe('2. no priority on a reply', () => {
  it('a root-id reply with a payload priority is sent without it, and succeeds', async () => {
    const root = server.addPost({ channel_id: buildsId, user_id: botId, message: 'root' });
    const run = await api({
      'root-id': root.id,
      message: 'reply',
      payload: 'priority:\n  priority: urgent',
    });
    expect(run.errors).toEqual([]);
    expect(postBodies()[0]).not.toHaveProperty('metadata');
    const replies = newPosts().filter((p) => p.id !== root.id);
    expect(replies.map((p) => [p.root_id, p.metadata.priority])).toEqual([[root.id, undefined]]);
  });

  it('the first part of a split message keeps it, the later parts and file replies do not', async () => {
    server.config.maxPostSize = 5000;
    const long = Array.from({ length: 30 }, (_, i) => `paragraph ${i} ${'x'.repeat(300)}`).join(
      '\n\n',
    );
    const run = await api(
      {
        channel: buildsId,
        message: long,
        payload: 'priority:\n  priority: important',
        files: '*.txt',
      },
      filesWorkspace(12, 10),
    );
    expect(run.errors).toEqual([]);
    const sent = postBodies();
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.map((body) => 'metadata' in body)).toEqual([
      true,
      ...sent.slice(1).map(() => false),
    ]);
  });

  it('403 with post priority turned off: says so, not "add the bot"', async () => {
    server.config.postPriority = false;
    const run = await api({
      channel: buildsId,
      message: 'x',
      payload: 'priority:\n  priority: urgent',
    });
    expect(run.errors[0]).toMatch(
      /^Post priority is turned off on this Mattermost server \(403 api\.post\.post_priority\.priority_post_not_allowed_for_user\.request_error, request \w+\): drop priority from payload, or a system admin can turn on Message Priority/,
    );
  });
});

describe('3. display overrides over REST carry from_webhook', () => {
  it('username and icon-emoji show in the web app only with from_webhook "true"', async () => {
    Object.assign(server.config, {
      enablePostUsernameOverride: true,
      enablePostIconOverride: true,
    });
    const run = await api({
      channel: buildsId,
      message: 'x',
      username: 'Release Bot',
      'icon-emoji': 'rocket',
    });
    expect(run.errors).toEqual([]);
    const [post] = newPosts();
    expect(post?.props).toMatchObject({
      from_webhook: 'true',
      override_username: 'Release Bot',
      override_icon_emoji: 'rocket',
    });
    expect(post && server.shownUsername(post)).toBe('Release Bot');
  });

  it('no override, no from_webhook', async () => {
    await api({ channel: buildsId, message: 'x' });
    expect(newPosts()[0]?.props).not.toHaveProperty('from_webhook');
  });
});

describe('4. one file per upload request, the body limit being for the whole request', () => {
  it('two files that each fit, but not together, are both uploaded', async () => {
    server.config.maxFileSize = 1000;
    const run = await api(
      { channel: buildsId, message: 'x', files: '*.txt' },
      filesWorkspace(2, 700),
    );
    expect(run.errors).toEqual([]);
    const uploads = server.requestsTo('POST', '/api/v4/files');
    expect(uploads).toHaveLength(2);
    expect(newPosts()[0]?.file_ids).toHaveLength(2);
  });

  it('uploads of every destination share one bound: 4 channels × 9 files, at most 6 in flight', async () => {
    const channels = ['up-a', 'up-b', 'up-c', 'up-d'];
    for (const name of channels) server.addChannel({ team: 'dev', name, members: [botId] });
    server.config.latencyMs = 20; // the uploads overlap
    const run = await api(
      { channel: channels.map((c) => `dev/${c}`).join(','), message: 'x', files: '*.txt' },
      filesWorkspace(9, 10),
    );
    expect(run.errors).toEqual([]);
    expect(server.requestsTo('POST', '/api/v4/files')).toHaveLength(36);
    expect(server.mostInFlight('POST', '/api/v4/files')).toBeGreaterThan(1);
    expect(server.mostInFlight('POST', '/api/v4/files')).toBeLessThanOrEqual(6);
  });

  it('a file over the limit is named in the error', async () => {
    server.config.maxFileSize = 1000;
    const run = await api(
      { channel: buildsId, message: 'x', files: '*.txt' },
      filesWorkspace(1, 1600),
    );
    expect(run.errors[0]).toMatch(
      /^report-01\.txt is larger than the server accepts \(413 api\.file\.upload_file\.too_large_detailed\.app_error, request \w+\): attach a smaller file or raise Maximum File Size/,
    );
  });
});

describe('5. ten files per post', () => {
  it('twelve files: ten on the post, two in a reply', async () => {
    const run = await api(
      { channel: buildsId, message: 'reports', files: '*.txt' },
      filesWorkspace(12, 3),
    );
    expect(run.errors).toEqual([]);
    expect(newPosts().map((p) => p.file_ids.length)).toEqual([10, 2]);
    expect(server.requestsTo('POST', '/api/v4/files')).toHaveLength(12);
  });
});

describe('7. team and channel names are lowercase', () => {
  it('dev/Town-Square is asked for as dev/town-square', async () => {
    const run = await api({ channel: 'DEV/Town-Square', message: 'x' });
    expect(run.errors).toEqual([]);
    expect(server.requestsTo('GET', /\/channels\/name\//).map((r) => r.path)).toEqual([
      '/api/v4/teams/name/dev/channels/name/town-square',
    ]);
    expect(run.posts.map((p) => [p.destination, p.status])).toEqual([['DEV/Town-Square', 'sent']]);
  });
});

describe('9. a refused webhook post is a 500: not retried, the type is named', () => {
  it('an invalid payload type', async () => {
    const run = await webhook({ payload: 'type: bogus_type' });
    expect(server.requestsTo('POST', `/hooks/${hook.id}`)).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Mattermost refused to create the webhook's post \(500 web\.incoming_webhook\.general\.app_error, request \w+\); its type "bogus_type" is the likely cause: payload type must be empty, "slack_attachment" or start with "custom_"; it was not retried/,
    );
  });

  it('an older server names creating.app_error', async () => {
    server.config.webhookErrors = 'specific';
    const run = await webhook({ payload: 'type: bogus_type' });
    expect(run.errors[0]).toMatch(
      /^Mattermost refused to create the webhook's post \(500 api\.post\.create_webhook_post\.creating\.app_error, request \w+\)/,
    );
  });
});

describe('10. hardened mode blanks the id of every 5xx', () => {
  it('a POST /posts 500 with no id is retried with the same pending_post_id: one post', async () => {
    server.config.hardened = true;
    // Held longer than the 1 s timeout: the retries meet the "pending" answer, id blanked.
    server.inject({ method: 'POST', path: POSTS, delayMs: 2000 });
    const run = await api({ channel: buildsId, message: 'x', timeout: '1', retries: '10' });
    expect(run.errors).toEqual([]);
    const retries = run.log.split('\n').filter((line) => line.startsWith('Retrying '));
    expect(retries.some((line) => line.endsWith(': 500 Internal Server Error'))).toBe(true);
    const ids = postBodies().map((body) => body.pending_post_id);
    expect(ids.length).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(1);
    expect(newPosts()).toHaveLength(1);
  });

  it('a 500 with no id on another request is not retried', async () => {
    server.config.hardened = true;
    server.inject({ path: '/api/v4/users/me', status: 500 });
    const run = await api({ channel: buildsId, message: 'x' });
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(1);
    expect(run.exitCode).toBe(1);
  });
});
