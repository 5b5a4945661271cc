// Threads that outlive a run: thread-key, thread-root, thread-lookback and reactions. The cases
// across runs run the bundled action as separate processes (dist/index.js, as the runner does).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { THREAD_KEY_PROP, THREAD_RUN_PROP } from '../src/thread/key.js';
import { renderThread } from '../src/thread/render.js';
import { type ActionOptions, type ActionRun, runAction, runDist } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { MattermostTestServer, type StoredPost } from './support/mattermost-server.js';
import { contextFor } from './template-helpers.js';

let server: MattermostTestServer;
let token: string;
let botId: string;
let otherId: string;
let joId: string;
const DAY_MS = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  botId = bot.user.id;
  otherId = server.addUser({ username: 'ann', teams: ['dev'] }).id;
  joId = server.addUser({ username: 'jo', teams: ['dev'] }).id;
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  server.clearLog();
});

/** A fresh channel per test, so each test's threads are its own. */
let channels = 0;
function newChannel(): { id: string; name: string } {
  channels += 1;
  const name = `thread-${channels}`;
  const channel = server.addChannel({ team: 'dev', name, members: [botId, otherId] });
  return { id: channel.id, name: `dev/${name}` };
}

type Inputs = Record<string, string>;

function apiInputs(inputs: Inputs): Inputs {
  return { 'server-url': server.url, token, ...inputs };
}

/** One run of the bundled action, in its own process. */
function dist(inputs: Inputs, options: Partial<ActionOptions> = {}): Promise<ActionRun> {
  return runDist({ ...options, inputs: apiInputs(inputs) });
}

function inProcess(inputs: Inputs, options: Partial<ActionOptions> = {}): Promise<ActionRun> {
  return runAction({ ...options, inputs: apiInputs(inputs) });
}

const roots = (channelId: string) =>
  server.posts({ channel_id: channelId }).filter((p) => p.root_id === '');
const replies = (root: StoredPost) => server.posts().filter((p) => p.root_id === root.id);

function expectSent(run: ActionRun): void {
  expect(run.errors).toEqual([]);
  expect(run.exitCode).toBe(0);
}

const pullRequest = exampleOf('pull_request', 'opened');
const prEvent = (pr: Record<string, unknown>, action = 'opened') => ({
  ...pullRequest,
  action,
  pull_request: { ...(pullRequest.pull_request as Record<string, unknown>), ...pr },
});
const PR_KEY = '{{ github.repository }}#{{ event.pull_request.number }}';
/** The first `count` system emoji names that the reactions input takes as they are. */
function emojiNames(count: number): string[] {
  const emoji = createRequire(import.meta.url)('emoji-datasource/emoji.json') as {
    short_name: string;
  }[];
  return emoji
    .map((e) => e.short_name)
    .filter((name) => /^[a-z][a-z0-9_]*$/.test(name))
    .slice(0, count);
}
const priorityNotice = (key: string, channelId: string) =>
  `thread-key: the payload's priority was not applied: thread "${key}" in channel ${channelId} has its root already, and Mattermost takes a priority only on a thread's root post.`;

describe('thread-key: one thread across runs', () => {
  it('makes the first message the root, with the key in its props, and a second run replies to it', async () => {
    const channel = newChannel();
    const first = await dist(
      { channel: channel.name, 'thread-key': PR_KEY, message: 'opened' },
      {
        event: pullRequest,
        eventName: 'pull_request',
      },
    );
    expectSent(first);
    const [root] = roots(channel.id);
    expect(root?.message).toBe('opened');
    expect(root?.props[THREAD_KEY_PROP]).toBe('Codertocat/Hello-World#2');
    expect(first.posts[0]?.root_id).toBe(root?.id);
    expect(first.outputs['root-id']).toBe(root?.id);

    const second = await dist(
      { channel: channel.name, 'thread-key': PR_KEY, message: 'CI passed' },
      {
        event: pullRequest,
        eventName: 'pull_request',
      },
    );
    expectSent(second);
    expect(roots(channel.id)).toHaveLength(1);
    const [reply] = replies(root as StoredPost);
    expect(reply?.message).toBe('CI passed');
    expect(second.posts[0]).toMatchObject({ post_id: reply?.id, root_id: root?.id });
    expect(second.outputs['root-id']).toBe(root?.id);
    // The look-up is one page of the channel's root posts, without the replies.
    const lookups = server.requestsTo('GET', `/api/v4/channels/${channel.id}/posts`);
    expect(lookups.map((r) => r.query)).toEqual([
      expect.objectContaining({ page: '0', per_page: '200', collapsedThreads: 'true' }),
      expect.objectContaining({ page: '0', per_page: '200', collapsedThreads: 'true' }),
    ]);
  });

  it('keeps a thread per key: another key in the same channel is another thread', async () => {
    const channel = newChannel();
    for (const key of ['deploy-1', 'deploy-2', 'deploy-1']) {
      expectSent(await inProcess({ channel: channel.name, 'thread-key': key, message: key }));
    }
    const [one, two] = roots(channel.id);
    expect([one?.props[THREAD_KEY_PROP], two?.props[THREAD_KEY_PROP]]).toEqual([
      'deploy-1',
      'deploy-2',
    ]);
    expect(replies(one as StoredPost).map((p) => p.message)).toEqual(['deploy-1']);
    expect(replies(two as StoredPost)).toEqual([]);
  });

  it('gives each destination its own thread, and finds each again', async () => {
    const channel = newChannel();
    const inputs = { channel: `${channel.name}, @jo`, 'thread-key': 'release-1.0' };
    expectSent(await dist({ ...inputs, message: 'one' }));
    const second = await dist({ ...inputs, message: 'two' });
    expectSent(second);
    const dm = server.directChannel(botId, joId);
    const channelRoots = roots(channel.id);
    const dmRoots = roots(dm?.id ?? '');
    expect(channelRoots).toHaveLength(1);
    expect(dmRoots).toHaveLength(1);
    expect(replies(channelRoots[0] as StoredPost).map((p) => p.message)).toEqual(['two']);
    expect(replies(dmRoots[0] as StoredPost).map((p) => p.message)).toEqual(['two']);
    expect(second.posts.map((p) => p.root_id)).toEqual([channelRoots[0]?.id, dmRoots[0]?.id]);
  });

  it('starts a new thread when the root is older than thread-lookback', async () => {
    const channel = newChannel();
    const old = server.addPost({
      channel_id: channel.id,
      user_id: botId,
      message: 'an old root',
      create_at: Date.now() - 8 * DAY_MS,
      props: { [THREAD_KEY_PROP]: 'k' },
    });
    const run = await dist({
      channel: channel.name,
      'thread-key': 'k',
      'thread-lookback': '7',
      message: 'new',
    });
    expectSent(run);
    expect(replies(old)).toEqual([]);
    const fresh = roots(channel.id).filter((p) => p.id !== old.id);
    expect(fresh.map((p) => p.message)).toEqual(['new']);
    // Within the default 30 days, the same old root is found.
    expectSent(await inProcess({ channel: channel.name, 'thread-key': 'k', message: 'found' }));
    expect(replies(fresh[0] as StoredPost).map((p) => p.message)).toEqual(['found']);
  });

  it('starts a new thread when the root was deleted', async () => {
    const channel = newChannel();
    expectSent(await dist({ channel: channel.name, 'thread-key': 'k', message: 'first' }));
    const [first] = roots(channel.id);
    server.deletePost(first?.id ?? '');
    const run = await dist({ channel: channel.name, 'thread-key': 'k', message: 'second' });
    expectSent(run);
    // The first root's pending_post_id still points at the deleted post for 30 s: the server
    // refuses it, and the run opens the thread with the second derived id.
    const ids = server
      .requestsTo('POST', '/api/v4/posts')
      .map((r) => (r.json as { pending_post_id: string }).pending_post_id);
    expect(ids.slice(-2)).toEqual([
      ids.at(-1)?.replace(/:2$/, ''),
      expect.stringMatching(/:thread:[0-9a-f]{32}:2$/),
    ]);
    const live = roots(channel.id).filter((p) => !p.delete_at);
    expect(live.map((p) => p.message)).toEqual(['second']);
    expect(run.posts[0]?.root_id).toBe(live[0]?.id);
  });

  it("ignores posts that only look like the root: another user's, or a reply carrying the key", async () => {
    const channel = newChannel();
    const someone = server.addPost({
      channel_id: channel.id,
      user_id: otherId,
      message: 'not the bot',
      props: { [THREAD_KEY_PROP]: 'k' },
    });
    const other = server.addPost({ channel_id: channel.id, user_id: otherId, message: 'a root' });
    // A server that ignores collapsedThreads pages over replies too: a reply of the bot's that
    // carries the key (a payload's props, say) is not a thread's root.
    const reply = server.addPost({
      channel_id: channel.id,
      user_id: botId,
      message: 'a reply with the key',
      root_id: other.id,
      props: { [THREAD_KEY_PROP]: 'k' },
    });
    server.config.collapsedThreads = false;
    try {
      const run = await inProcess({ channel: channel.name, 'thread-key': 'k', message: 'mine' });
      expectSent(run);
      expect(replies(someone)).toEqual([]);
      expect(replies(other).map((p) => p.id)).toEqual([reply.id]);
      const mine = roots(channel.id).find((p) => p.message === 'mine');
      expect(mine?.props[THREAD_KEY_PROP]).toBe('k');
      expect(run.posts[0]).toMatchObject({ post_id: mine?.id, root_id: mine?.id });
    } finally {
      server.config.collapsedThreads = true;
    }
  });

  it('on a hardened server (5xx ids blanked), a root deleted within 30 s still gives way to the second derived id', async () => {
    const channel = newChannel();
    server.config.hardened = true;
    try {
      expectSent(await inProcess({ channel: channel.name, 'thread-key': 'k', message: 'first' }));
      const [first] = roots(channel.id);
      server.deletePost(first?.id ?? '');
      const run = await inProcess({
        channel: channel.name,
        'thread-key': 'k',
        message: 'second',
        retries: '1',
      });
      expectSent(run);
      const ids = server
        .requestsTo('POST', '/api/v4/posts')
        .map((r) => (r.json as { pending_post_id: string }).pending_post_id);
      expect(ids.at(-1)).toMatch(/:thread:[0-9a-f]{32}:2$/);
      const live = roots(channel.id).filter((p) => !p.delete_at);
      expect(live.map((p) => p.message)).toEqual(['second']);
      expect(run.posts[0]?.root_id).toBe(live[0]?.id);
    } finally {
      server.config.hardened = false;
    }
  });

  it('uploads the files once when the thread opens under its second derived id', async () => {
    const channel = newChannel();
    const workspace = mkdtempSync(join(tmpdir(), 'mm-thread-files-'));
    writeFileSync(join(workspace, 'deploy.log'), 'ok');
    const inputs = { channel: channel.name, 'thread-key': 'k', files: 'deploy.log' };
    expectSent(await inProcess({ ...inputs, message: 'first' }, { workspace }));
    server.deletePost(roots(channel.id)[0]?.id ?? '');
    server.clearLog();
    expectSent(await inProcess({ ...inputs, message: 'second' }, { workspace }));
    expect(server.requestsTo('POST', '/api/v4/files')).toHaveLength(1);
    const live = roots(channel.id).filter((p) => !p.delete_at);
    expect(live.map((p) => [p.message, p.file_ids.length])).toEqual([['second', 1]]);
  });

  it('two runs opening the same thread at once end with one root, and both messages in it', async () => {
    const channel = newChannel();
    // The first run's root is held mid-save; the second run starts meanwhile, finds no root,
    // and sends the same pending_post_id: the server answers "pending", then hands it the root.
    server.inject({ method: 'POST', path: '/api/v4/posts', delayMs: 4000 });
    const inputs = { channel: channel.name, 'thread-key': 'race', retries: '10' };
    const first = dist({ ...inputs, message: 'from run A' });
    while (server.requestsTo('POST', '/api/v4/posts').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = dist({ ...inputs, message: 'from run B' });
    const [a, b] = await Promise.all([first, second]);
    expectSent(a);
    expectSent(b);
    const creates = server
      .requestsTo('POST', '/api/v4/posts')
      .map((r) => r.json as Record<string, unknown>);
    const rootIds = new Set(
      creates.filter((c) => c.root_id === undefined).map((c) => c.pending_post_id),
    );
    expect(rootIds.size).toBe(1);
    expect([...rootIds][0]).toMatch(new RegExp(`^${botId}:thread:[0-9a-f]{32}$`));
    const [root, ...others] = roots(channel.id);
    expect(others).toEqual([]);
    expect(root?.message).toBe('from run A');
    expect(replies(root as StoredPost).map((p) => p.message)).toEqual(['from run B']);
    expect(b.posts[0]?.root_id).toBe(root?.id);
  });
  it('keeps a priority on the root it opens, and sends none on a reply (the server refuses it)', async () => {
    const channel = newChannel();
    const inputs = {
      channel: channel.name,
      'thread-key': 'urgent',
      payload: '{"priority": {"priority": "urgent"}}',
    };
    const first = await inProcess({ ...inputs, message: 'first' });
    expectSent(first);
    expect(first.notices).toEqual([]);
    const second = await inProcess({ ...inputs, message: 'second' });
    expectSent(second);
    const bodies = server
      .requestsTo('POST', '/api/v4/posts')
      .map((r) => r.json as { root_id?: string; metadata?: unknown });
    expect(bodies.map((b) => [b.root_id === undefined, b.metadata])).toEqual([
      [true, { priority: { priority: 'urgent' } }],
      [false, undefined],
    ]);
    expect(second.notices).toEqual([priorityNotice('urgent', channel.id)]);
  });
});

describe('thread-root: a root kept current', () => {
  it('creates the root on first use, edits it on later runs, and never makes a second one', async () => {
    const channel = newChannel();
    const inputs = { channel: channel.name, 'thread-key': PR_KEY, 'thread-root': 'built-in' };
    const opened = await dist(
      { ...inputs, message: 'opened' },
      { event: prEvent({}), eventName: 'pull_request' },
    );
    expectSent(opened);
    const [root] = roots(channel.id);
    expect(root?.message).toContain(':large_green_circle: **Open** · pull request');
    expect(root?.message).toContain('[#2 Update the README with new information.]');
    expect(replies(root as StoredPost).map((p) => p.message)).toEqual(['opened']);
    expect(opened.posts[0]).toMatchObject({
      post_id: replies(root as StoredPost)[0]?.id,
      root_id: root?.id,
    });
    const runProp = root?.props[THREAD_RUN_PROP];

    const merged = await dist(
      { ...inputs, message: 'merged' },
      { event: prEvent({ state: 'closed', merged: true }, 'closed'), eventName: 'pull_request' },
    );
    expectSent(merged);
    expect(roots(channel.id)).toHaveLength(1);
    const [edited] = roots(channel.id);
    expect(edited?.message).toContain(':large_purple_circle: **Merged**');
    expect(edited?.edit_at).toBeGreaterThan(0);
    // The patch keeps the props: the key, the opening run's id, the server's from_bot.
    expect(edited?.props).toMatchObject({
      [THREAD_KEY_PROP]: 'Codertocat/Hello-World#2',
      [THREAD_RUN_PROP]: runProp,
      from_bot: 'true',
    });
    expect(replies(root as StoredPost).map((p) => p.message)).toEqual(['opened', 'merged']);

    server.clearLog();
    expectSent(
      await inProcess(
        { ...inputs, message: 'again' },
        { event: prEvent({ state: 'closed', merged: true }, 'closed'), eventName: 'pull_request' },
      ),
    );
    // The same root text: no edit at all.
    expect(server.requestsTo('PUT', /\/patch$/)).toEqual([]);
  });

  it('cuts a long root to one post', async () => {
    const channel = newChannel();
    server.config.maxPostSize = 5000;
    try {
      const long = Array.from({ length: 400 }, (_, i) => `line ${i} of the root`).join('\n');
      const run = await inProcess({
        channel: channel.name,
        'thread-key': 'long',
        'thread-root': long,
        message: 'the message',
      });
      expectSent(run);
      const [root, ...others] = roots(channel.id);
      expect(others).toEqual([]);
      expect([...(root?.message ?? '')].length).toBeLessThanOrEqual(5000);
      expect(root?.message.startsWith('line 0 of the root')).toBe(true);
      expect(replies(root as StoredPost).map((p) => p.message)).toEqual(['the message']);
    } finally {
      server.config.maxPostSize = 16383;
    }
  });
});

describe('thread-root: races and priority', () => {
  it('two runs opening a thread-root thread at once: one root, showing the later run', async () => {
    const channel = newChannel();
    // Run A's root is held mid-save; run B, started later, is handed A's root by the
    // de-duplication and brings it up to its own (newer) text before replying.
    server.inject({ method: 'POST', path: '/api/v4/posts', delayMs: 3000 });
    const inputs = { channel: channel.name, 'thread-key': 'pr-7', retries: '10' };
    const first = dist({ ...inputs, 'thread-root': 'PR 7: Open', message: 'opened' });
    while (server.requestsTo('POST', '/api/v4/posts').length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = dist({ ...inputs, 'thread-root': 'PR 7: Closed', message: 'closed' });
    const [a, b] = await Promise.all([first, second]);
    expectSent(a);
    expectSent(b);
    const [root, ...others] = roots(channel.id);
    expect(others).toEqual([]);
    expect(root?.message).toBe('PR 7: Closed');
    expect(root?.props[THREAD_KEY_PROP]).toBe('pr-7');
    expect(
      replies(root as StoredPost)
        .map((p) => p.message)
        .sort(),
    ).toEqual(['closed', 'opened']);
  });

  it("puts the payload's priority on the root it creates, and says when the root exists already", async () => {
    const channel = newChannel();
    const inputs = {
      channel: channel.name,
      'thread-key': 'deploy-9',
      'thread-root': 'Deploy 9',
      payload: '{"priority": {"priority": "important"}}',
    };
    const first = await inProcess({ ...inputs, message: 'started' });
    expectSent(first);
    expect(first.notices).toEqual([]);
    const second = await inProcess({ ...inputs, message: 'done' });
    expectSent(second);
    const bodies = server
      .requestsTo('POST', '/api/v4/posts')
      .map((r) => r.json as { message: string; root_id?: string; metadata?: unknown });
    expect(bodies.map((b) => [b.message, b.root_id === undefined, b.metadata])).toEqual([
      ['Deploy 9', true, { priority: { priority: 'important' } }],
      ['started', false, undefined],
      ['done', false, undefined],
    ]);
    const [root] = roots(channel.id);
    expect(root?.metadata).toMatchObject({ priority: { priority: 'important' } });
    expect(second.notices).toEqual([priorityNotice('deploy-9', channel.id)]);
  });
});

describe('reactions', () => {
  it("go on the thread's root: added, then swapped, with repeats and absent ones no error", async () => {
    const channel = newChannel();
    const inputs = { channel: channel.name, 'thread-key': 'deploy', 'thread-root': 'Deploy 1.0' };
    expectSent(await dist({ ...inputs, message: 'started', reactions: 'hourglass_flowing_sand' }));
    const [root] = roots(channel.id);
    const names = () => server.reactionsOn(root?.id ?? '').map((r) => [r.user_id, r.emoji_name]);
    expect(names()).toEqual([[botId, 'hourglass_flowing_sand']]);
    expectSent(
      await dist({ ...inputs, message: 'still going', reactions: 'hourglass_flowing_sand' }),
    );
    expect(names()).toEqual([[botId, 'hourglass_flowing_sand']]);
    expectSent(
      await dist({
        ...inputs,
        message: 'done',
        reactions: '-hourglass_flowing_sand, white_check_mark, -x',
      }),
    );
    expect(names()).toEqual([[botId, 'white_check_mark']]);
    const reply = replies(root as StoredPost).at(-1);
    expect(server.reactionsOn(reply?.id ?? '')).toEqual([]);
  });

  it('go on the new post without thread-key, and on the edited post with update-post-id', async () => {
    const channel = newChannel();
    const posted = await inProcess({
      channel: channel.name,
      message: 'deploying',
      reactions: 'hourglass',
    });
    expectSent(posted);
    const postId = posted.outputs['post-id'] ?? '';
    expect(server.reactionsOn(postId).map((r) => r.emoji_name)).toEqual(['hourglass']);
    const edited = await inProcess({
      'update-post-id': postId,
      message: 'deployed',
      reactions: '-hourglass, white_check_mark',
    });
    expectSent(edited);
    expect(server.reactionsOn(postId).map((r) => r.emoji_name)).toEqual(['white_check_mark']);
  });

  it('fail the destination, keeping its post, when the server has no such emoji', async () => {
    const channel = newChannel();
    const run = await inProcess({
      channel: channel.name,
      message: 'hi',
      reactions: 'no_such_emoji_here',
    });
    expect(run.exitCode).toBe(1);
    expect(run.posts[0]).toMatchObject({ status: 'failed' });
    expect(run.posts[0]?.post_id).toMatch(/^[a-z0-9]{26}$/);
    expect(run.errors[0]).toContain(
      'The post was sent, but a reaction failed: There is no emoji :no_such_emoji_here:',
    );
  });
});

describe('the look-up is bounded', () => {
  it('finds a root behind 500 later posts in 3 requests, and gives up after 5 pages', async () => {
    const channel = newChannel();
    const root = server.addPost({
      channel_id: channel.id,
      user_id: botId,
      message: 'root',
      props: { [THREAD_KEY_PROP]: 'busy' },
    });
    for (let i = 0; i < 500; i += 1) {
      server.addPost({ channel_id: channel.id, user_id: otherId, message: `chatter ${i}` });
    }
    server.clearLog();
    expectSent(await inProcess({ channel: channel.name, 'thread-key': 'busy', message: 'reply' }));
    expect(replies(root).map((p) => p.message)).toEqual(['reply']);
    const pages = server.requestsTo('GET', `/api/v4/channels/${channel.id}/posts`);
    expect(pages.map((r) => r.query.page)).toEqual(['0', '1', '2']);

    for (let i = 0; i < 600; i += 1) {
      server.addPost({ channel_id: channel.id, user_id: otherId, message: `more ${i}` });
    }
    server.clearLog();
    const deep = await inProcess({
      channel: channel.name,
      'thread-key': 'busy',
      message: 'too deep',
    });
    expectSent(deep);
    expect(deep.notices).toEqual([
      `thread-key: no root for "busy" among the newest 1000 root posts of channel ${channel.id}, so a new thread starts there.`,
    ]);
    expect(server.requestsTo('GET', `/api/v4/channels/${channel.id}/posts`)).toHaveLength(5);
    const newRoot = roots(channel.id).find((p) => p.message === 'too deep');
    expect(newRoot?.props[THREAD_KEY_PROP]).toBe('busy');
  });

  it('reads on past a page the server cut short, and stops when no older root post is left', async () => {
    const channel = newChannel();
    const root = server.addPost({
      channel_id: channel.id,
      user_id: botId,
      message: 'root',
      props: { [THREAD_KEY_PROP]: 'gappy' },
    });
    for (let i = 0; i < 200; i += 1) {
      const type = i % 10 === 0 ? 'burn_on_read' : '';
      server.addPost({ channel_id: channel.id, user_id: otherId, message: `chatter ${i}`, type });
    }
    server.clearLog();
    expectSent(await inProcess({ channel: channel.name, 'thread-key': 'gappy', message: 'reply' }));
    expect(replies(root).map((p) => p.message)).toEqual(['reply']);
    expect(server.requestsTo('GET', `/api/v4/channels/${channel.id}/posts`)).toHaveLength(2);

    // A key that is nowhere: the second page ends the channel (prev_post_id is empty).
    server.clearLog();
    expectSent(await inProcess({ channel: channel.name, 'thread-key': 'absent', message: 'x' }));
    expect(server.requestsTo('GET', `/api/v4/channels/${channel.id}/posts`)).toHaveLength(2);
  });

  it('stops at the first page older than the look-back', async () => {
    const channel = newChannel();
    for (let i = 0; i < 250; i += 1) {
      server.addPost({
        channel_id: channel.id,
        user_id: otherId,
        message: `old ${i}`,
        create_at: Date.now() - 40 * DAY_MS + i,
      });
    }
    expectSent(await inProcess({ channel: channel.name, 'thread-key': 'quiet', message: 'hi' }));
    expect(server.requestsTo('GET', `/api/v4/channels/${channel.id}/posts`)).toHaveLength(1);
  });
});

describe('thread-key and reactions: server errors', () => {
  const suffix = String.raw`\((\d{3})[^)]*\)`;

  it('names an unknown channel id (404) as such', async () => {
    const id = 'abcdefghijklmnopqrstuvwxyz';
    const run = await inProcess({ channel: id, 'thread-key': 'k', message: 'hi' });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      new RegExp(`There is no channel ${id} \\(404 [^)]*\\): check the channel id\\.`),
    );
  });

  it('asks to add the bot to a private channel it cannot read (403)', async () => {
    const closed = server.addChannel({
      team: 'dev',
      name: 'closed',
      type: 'P',
      members: [otherId],
    });
    const run = await inProcess({ channel: closed.id, 'thread-key': 'k', message: 'hi' });
    expect(run.exitCode).toBe(1);
    expect(run.errors.join('\n')).toMatch(
      new RegExp(
        `The bot cannot read channel ${closed.id} \\(403 [^)]*\\): thread-key finds the thread among the channel's posts, so add the bot to the channel\\.`,
      ),
    );
  });

  /** The error line of a run whose reaction got `status`, once the post was sent. */
  async function reactionFailure(reactions: string, fault?: { status: number }): Promise<string> {
    const channel = newChannel();
    if (fault) server.inject({ method: 'POST', path: '/api/v4/reactions', ...fault });
    const run = await inProcess({ channel: channel.name, message: 'hi', reactions, retries: '0' });
    expect(run.exitCode).toBe(1);
    expect(run.posts[0]?.post_id).toMatch(/^[a-z0-9]{26}$/);
    return run.errors.join('\n');
  }

  it('a reaction refused as a custom emoji where those are disabled (501)', async () => {
    const error = await reactionFailure('party_parrot', { status: 501 });
    expect(error).toMatch(
      new RegExp(
        `:party_parrot: is not a standard emoji and custom emoji are disabled on this server ${suffix}: check reactions\\.`,
      ),
    );
  });

  it("a reaction past the server's limit of different reactions on a post", async () => {
    // UniqueEmojiReactionLimitPerPost is 50: the 51st different emoji is refused.
    const names = emojiNames(51);
    const error = await reactionFailure(names.join(', '));
    expect(error).toMatch(
      /Post [a-z0-9]{26} has as many different reactions as the server allows \(400 app\.reaction\.save\.save\.too_many_reactions[^)]*\): remove some with -name in reactions\./,
    );
  });

  it('a reaction on a post that is gone (404)', async () => {
    const error = await reactionFailure('tada', { status: 404 });
    expect(error).toMatch(new RegExp(`There is no post [a-z0-9]{26} to react to ${suffix}\\.`));
  });

  it('a reaction the bot may not make (403)', async () => {
    const error = await reactionFailure('tada', { status: 403 });
    expect(error).toMatch(
      new RegExp(
        `The bot may not react in the channel of post [a-z0-9]{26} ${suffix}: add the bot to the channel \\(an archived channel takes no reactions\\)\\.`,
      ),
    );
  });
});

describe('thread inputs: errors', () => {
  const webhook = 'http://127.0.0.1:2/hooks/abcdefghijklmnopqrstuvwxyz';
  it.each([
    [
      { 'thread-key': 'k', 'root-id': 'abcdefghijklmnopqrstuvwxyz', channel: 'x/y' },
      'thread-key and root-id cannot be used together (API mode): thread-key finds the thread itself; drop one of them.',
    ],
    [
      { 'thread-key': 'k', 'update-post-id': 'abcdefghijklmnopqrstuvwxyz' },
      'thread-key and update-post-id cannot be used together (API mode): thread-key finds the thread itself; drop one of them.',
    ],
    [
      { 'thread-root': 'root', channel: 'x/y' },
      'thread-root needs thread-key: set thread-key to name the thread.',
    ],
    [
      { reactions: 'white_check_mark, :tada:, not an emoji', channel: 'x/y' },
      'reactions entry not an emoji is not an emoji name: write e.g. white_check_mark to add, -hourglass_flowing_sand to remove.',
    ],
    [
      { 'thread-key': 'k', 'thread-lookback': '0', channel: 'x/y' },
      'thread-lookback must be a whole number from 1 to 365, not 0.',
    ],
    [
      { 'thread-key': '{{ event.nothing }}', channel: 'x/y' },
      'thread-key is empty after rendering: check the thread-key template (a variable that is not in this event renders as nothing).',
    ],
  ])('API mode %o', async (inputs, error) => {
    const run = await inProcess({ message: 'hi', ...inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([error]);
    expect(server.requests).toEqual([]);
  });

  it.each([
    [
      'thread-key',
      'thread-key needs API mode: set server-url and token (a webhook post has no id to find, edit or react to).',
    ],
    [
      'thread-root',
      'thread-root needs API mode: set server-url and token (a webhook post has no id to find, edit or react to).',
    ],
    [
      'reactions',
      'reactions needs API mode: set server-url and token (a webhook post has no id to find, edit or react to).',
    ],
  ])('webhook mode with %s', async (input, error) => {
    const run = await runAction({
      inputs: { 'webhook-url': webhook, message: 'hi', [input]: 'tada' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([error]);
  });

  it('checks the rendered key in a dry run too, before any request', async () => {
    const run = await inProcess({
      'dry-run': 'true',
      channel: 'dev/x',
      'thread-key': '{{ event.none }}',
      message: 'hi',
    });
    expect(run.errors).toEqual([
      'thread-key is empty after rendering: check the thread-key template (a variable that is not in this event renders as nothing).',
    ]);
    expect(server.requests).toEqual([]);
  });
});

describe('thread-root: built-in roots', () => {
  const root = async (eventName: string, event: Record<string, unknown>) =>
    (
      await renderThread(
        { keyTemplate: 'k', rootTemplate: 'built-in', lookbackDays: 30 },
        contextFor(eventName, event),
        {},
      )
    ).root;
  const pr = exampleOf('pull_request', 'opened');
  const withPr = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...pr,
    ...extra,
    pull_request: { ...(pr.pull_request as Record<string, unknown>), ...fields },
  });

  it.each([
    ['open', 'pull_request', withPr({}), ':large_green_circle: **Open**'],
    ['draft', 'pull_request', withPr({ draft: true }), ':construction: **Draft**'],
    [
      'approved',
      'pull_request_review',
      withPr({}, { review: { state: 'approved' } }),
      ':white_check_mark: **Approved**',
    ],
    [
      'changes requested',
      'pull_request_review',
      withPr({}, { review: { state: 'changes_requested' } }),
      ':warning: **Changes requested**',
    ],
    [
      'merged',
      'pull_request',
      withPr({ state: 'closed', merged: true }),
      ':large_purple_circle: **Merged**',
    ],
    [
      'closed',
      'pull_request',
      withPr({ state: 'closed', merged: false }),
      ':red_circle: **Closed**',
    ],
  ])('pull request %s', async (_state, eventName, event, line) => {
    const text = await root(eventName, event);
    expect(text).toBe(
      `${line} · pull request [#2 Update the README with new information.](https://github.com/Codertocat/Hello-World/pull/2) in [Codertocat/Hello-World](https://github.com/Codertocat/Hello-World)\nby Codertocat · \`changes\` → \`master\` · 1 commit (+1 −1)`,
    );
  });

  it('a comment on a pull request uses the pull request root', async () => {
    const example = exampleOf('issue_comment', 'created');
    const issue = example.issue as Record<string, unknown>;
    const comment = { ...example, issue: { ...issue, pull_request: { merged_at: null } } };
    expect(await root('issue_comment', comment)).toContain(`· pull request [#${issue.number} `);
  });

  it.each([
    [
      'issues',
      exampleOf('issues', 'opened'),
      /^:large_green_circle: \*\*Open\*\* · issue \[#1 Spelling error in the README file\]/,
    ],
    ['release', exampleOf('release', 'published'), /^:rocket: \*\*Published\*\* · release \[/],
    [
      'deployment_status',
      exampleOf('deployment_status'),
      /^:white_check_mark: \*\*Deployed\*\*|^:hourglass_flowing_sand: \*\*Deploying\*\*|^:x: \*\*Failed\*\*/,
    ],
    ['deployment', exampleOf('deployment'), /^:package: \*\*Created\*\* · `[^`]+` to `production`/],
    ['push', exampleOf('push'), /^:thread: CI in \[Codertocat\/Hello-World\]/],
  ])('%s', async (eventName, event, pattern) => {
    expect(await root(eventName, event)).toMatch(pattern);
  });

  it('escapes hostile text from the event like any template', async () => {
    const text = await root('pull_request', withPr({ title: '@channel **bold** <!here>' }));
    expect(text).not.toMatch(/@channel|<!here>|\*\*bold/);
  });
});
