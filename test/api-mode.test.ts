import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionOptions, runAction } from './support/action.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let server: MattermostTestServer;
let token: string;
let botId: string;
const users: Record<string, string> = {};
let releasesId: string;
let opsId: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  server.addTeam({ name: 'other' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  botId = bot.user.id;
  for (const name of ['ann', 'bob', 'cy', 'jo']) {
    users[name] = server.addUser({
      username: name,
      email: `${name}@example.com`,
      teams: ['dev'],
    }).id;
  }
  users.faraway = server.addUser({
    username: 'faraway',
    email: 'faraway@example.com',
    teams: ['other'],
  }).id;
  releasesId = server.addChannel({ team: 'dev', name: 'releases', members: [botId] }).id;
  opsId = server.addChannel({ team: 'dev', name: 'ops', members: [botId] }).id;
  server.addChannel({ team: 'dev', name: 'hidden', type: 'P', members: [users.jo ?? ''] });
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  server.clearLog();
  Object.assign(server.config, {
    showEmailAddress: true,
    restrictDirectMessage: 'any',
    enableFileAttachments: true,
    maxPostSize: 16383,
  });
});

function api(inputs: Record<string, string>, options: Partial<ActionOptions> = {}) {
  return runAction({ ...options, inputs: { 'server-url': server.url, token, ...inputs } });
}

const requestLine = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const dmWith = (name: string) => server.directChannel(botId, users[name] ?? '');

describe('API mode: direct messages', () => {
  it('DMs three usernames with one user look-up', async () => {
    const run = await api({ user: 'ann, @bob\ncy', message: 'hello {{ github.actor }}' });
    expect(run.exitCode).toBe(0);
    const lines = server.requests.map(requestLine);
    expect(lines.filter((l) => l === 'GET /api/v4/users/me')).toHaveLength(1);
    expect(lines.filter((l) => l === 'POST /api/v4/users/usernames')).toHaveLength(1);
    expect(lines.filter((l) => l === 'POST /api/v4/channels/direct')).toHaveLength(3);
    expect(lines.filter((l) => l === 'POST /api/v4/posts')).toHaveLength(3);
    expect(lines).toHaveLength(8);
    expect(server.requestsTo('POST', '/api/v4/users/usernames')[0]?.json).toEqual([
      'ann',
      'bob',
      'cy',
    ]);
    for (const name of ['ann', 'bob', 'cy']) {
      expect(server.posts({ channel_id: dmWith(name)?.id ?? '' }).at(-1)?.message).toBe(
        'hello octocat',
      );
    }
    expect(run.posts.map((p) => [p.destination, p.status])).toEqual([
      ['ann', 'sent'],
      ['@bob', 'sent'],
      ['cy', 'sent'],
    ]);
    expect(run.outputs['post-id']).toBe(run.posts[0]?.post_id);
    expect(run.outputs['channel-id']).toBe(dmWith('ann')?.id);
    expect(run.outputs['root-id']).toBe(run.posts[0]?.post_id);
    expect(run.summary).toContain(`${server.url}/_redirect/pl/${run.posts[0]?.post_id}`);
  });

  it('DMs by email: users/me, the email look-up, the DM channel, the post', async () => {
    const run = await api({ 'user-email': 'Jo@Example.com', message: 'hi' });
    expect(run.exitCode).toBe(0);
    expect(server.requests.map(requestLine).sort()).toEqual(
      [
        'GET /api/v4/users/me',
        'GET /api/v4/users/email/jo@example.com',
        'POST /api/v4/channels/direct',
        'POST /api/v4/posts',
      ].sort(),
    );
    const post = server.posts({ channel_id: dmWith('jo')?.id ?? '' }).at(-1);
    expect(post?.message).toBe('hi');
    expect(post?.props.from_bot).toBe('true');
  });

  it('sends one message to a person reached by email and by username', async () => {
    const before = server.posts().length;
    const run = await api({
      user: 'jo',
      'user-email': 'jo@example.com',
      channel: '@jo',
      message: 'once',
    });
    expect(run.exitCode).toBe(0);
    expect(server.posts().length - before).toBe(1);
    expect(server.requestsTo('POST', '/api/v4/channels/direct')).toHaveLength(1);
    expect(run.posts.map((p) => p.destination)).toEqual(['@jo']);
  });

  it('tells which recipients failed and still sends to all the others', async () => {
    const run = await api({
      user: 'ann,bob,cy,jo,nobody',
      'user-email': 'ghost@example.com',
      channel: 'dev/releases, dev/hidden, ops',
      team: 'dev',
      message: 'fan-out',
    });
    expect(run.exitCode).toBe(1);
    expect(run.posts.map((p) => [p.destination, p.status])).toEqual([
      ['dev/releases', 'sent'],
      ['dev/hidden', 'failed'],
      ['ops', 'sent'],
      ['ann', 'sent'],
      ['bob', 'sent'],
      ['cy', 'sent'],
      ['jo', 'sent'],
      ['nobody', 'failed'],
      ['ghost@example.com', 'failed'],
    ]);
    const [error] = run.errors;
    expect(error?.split('\n')).toEqual([
      'Could not deliver to 3 of 9 destinations:',
      expect.stringMatching(
        /^- dev\/hidden: .*\(404 app\.channel\.get_by_name\.missing\.app_error, request \w+\).*add the bot to the channel/,
      ),
      expect.stringMatching(/^- nobody: No Mattermost user @nobody/),
      expect.stringMatching(
        /^- ghost@example\.com: No Mattermost user with email ghost@example\.com \(404/,
      ),
    ]);
    expect(server.posts({ channel_id: opsId }).at(-1)?.message).toBe('fan-out');
  });
});

describe('API mode: channels', () => {
  it('posts to team/name, ~name with team, and a channel id', async () => {
    const run = await api({
      channel: `dev/releases\n~ops\n${releasesId}`,
      team: 'dev',
      message: 'ship it',
    });
    expect(run.exitCode).toBe(0);
    expect(server.requestsTo('GET', '/api/v4/teams/name/dev/channels/name/releases')).toHaveLength(
      1,
    );
    expect(server.requestsTo('GET', '/api/v4/teams/name/dev/channels/name/ops')).toHaveLength(1);
    // The channel id is the same channel as dev/releases: one message, named by the first entry.
    expect(run.posts.map((p) => p.destination)).toEqual(['dev/releases', '~ops']);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('ship it');
  });

  it('takes the connection from MATTERMOST_URL and MATTERMOST_TOKEN, and tolerates /api/v4/', async () => {
    const run = await runAction({
      inputs: { channel: releasesId, message: 'from env' },
      env: { MATTERMOST_URL: `${server.url}/api/v4/`, MATTERMOST_TOKEN: token },
    });
    expect(run.exitCode).toBe(0);
    expect(run.masked).toContain(token);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('from env');
  });

  it('needs a team for a bare channel name', async () => {
    const run = await api({ channel: 'releases', message: 'x' });
    expect(run.errors).toEqual([
      'channel releases is a bare channel name: set team, or write it as team-name/releases.',
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('needs a destination', async () => {
    const run = await api({ message: 'x' });
    expect(run.errors[0]).toMatch(/^No destination: set channel, user, user-email or github-user/);
  });
});

describe('API mode: threads and edits', () => {
  it("replies in a thread, in the root post's channel when no destination is given", async () => {
    const root = server.addPost({ channel_id: releasesId, user_id: botId, message: 'root' });
    const run = await api({ 'root-id': root.id, message: 'reply' });
    expect(run.exitCode).toBe(0);
    const reply = server.posts({ channel_id: releasesId }).at(-1);
    expect(reply?.root_id).toBe(root.id);
    expect(run.outputs['root-id']).toBe(root.id);
    expect(run.outputs['post-id']).toBe(reply?.id);
  });

  it('refuses a destination in another channel than the thread', async () => {
    const root = server.addPost({ channel_id: releasesId, user_id: botId, message: 'root' });
    const run = await api({ 'root-id': root.id, channel: opsId, message: 'reply' });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/root-id .* is a thread in another channel/);
  });

  it('edits a post: "deploying…" becomes "deployed", with the new status colour', async () => {
    const start = await api({ channel: releasesId, message: 'Deploying…', status: 'skipped' });
    const postId = start.outputs['post-id'] ?? '';
    const run = await api({ 'update-post-id': postId, message: 'Deployed', status: 'success' });
    expect(run.exitCode).toBe(0);
    expect(server.requestsTo('PUT', `/api/v4/posts/${postId}/patch`)).toHaveLength(1);
    const edited = server.posts().find((p) => p.id === postId);
    expect(edited?.message).toBe('Deployed');
    expect(edited?.props.attachments).toEqual([expect.objectContaining({ color: 'good' })]);
    expect(edited?.props.from_bot).toBe('true');
    expect(run.outputs['post-id']).toBe(postId);
  });

  it('keeps attachments given under payload props: status does not replace them', async () => {
    const run = await api({
      channel: releasesId,
      message: 'with my card',
      status: 'failure',
      payload: '{"props": {"attachments": [{"text": "mine"}], "card": "x"}}',
    });
    expect(run.exitCode).toBe(0);
    const post = server.posts().find((p) => p.id === run.outputs['post-id']);
    expect(post?.props.attachments).toEqual([{ text: 'mine' }]);
    expect(post?.props.card).toBe('x');
  });

  it('attaches files to the edited post, and sends the rest of a long edit as replies', async () => {
    server.config.maxPostSize = 5000;
    const workspace = mkdtempSync(join(tmpdir(), 'mm-files-'));
    writeFileSync(join(workspace, 'deploy.log'), 'ok');
    const post = server.addPost({ channel_id: releasesId, user_id: botId, message: 'Deploying…' });
    const long = Array.from({ length: 3 }, (_, i) => `${i} ${'x '.repeat(1500)}end`).join('\n\n');
    const run = await api(
      { 'update-post-id': post.id, message: '{{ env.LONG | raw }}', files: 'deploy.log' },
      { workspace, env: { LONG: long } },
    );
    expect(run.exitCode).toBe(0);
    const edited = server.posts().find((p) => p.id === post.id);
    expect(edited?.file_ids).toHaveLength(1);
    expect(edited?.message.startsWith('0 x')).toBe(true);
    const replies = server.posts({ channel_id: releasesId }).filter((p) => p.root_id === post.id);
    expect(replies.length).toBeGreaterThan(0);
    expect([edited?.message, ...replies.map((p) => p.message)].join('\n\n')).toBe(long);
  });

  it('warns that destinations are not used with update-post-id', async () => {
    const post = server.addPost({ channel_id: releasesId, user_id: botId, message: 'old' });
    const run = await api({ 'update-post-id': post.id, channel: opsId, message: 'new' });
    expect(run.exitCode).toBe(0);
    expect(run.warnings).toEqual([
      'update-post-id edits an existing post: channel, user, user-email and github-user are not used.',
    ]);
    expect(server.posts({ channel_id: opsId }).some((p) => p.message === 'new')).toBe(false);
  });

  it('explains an edit of a post that does not exist', async () => {
    const run = await api({ 'update-post-id': 'abcdefghijklmnopqrstuvwxyz', message: 'x' });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/abcdefghijklmnopqrstuvwxyz.*404/);
  });
});

describe('API mode: long messages and files', () => {
  it('asks for MaxPostSize only for long messages and threads the rest as replies', async () => {
    server.config.maxPostSize = 5000;
    const code = `\`\`\`ts\n${Array.from({ length: 300 }, (_, i) => `const line${i} = ${i};`).join('\n')}\n\`\`\``;
    const message = `Intro paragraph.\n\n${code}\n\nOutro.`;
    const run = await api(
      { channel: releasesId, message: '{{ env.LONG | raw }}' },
      { env: { LONG: message } },
    );
    expect(run.exitCode).toBe(0);
    expect(server.requestsTo('GET', '/api/v4/config/client')).toHaveLength(1);
    const posts = server
      .posts({ channel_id: releasesId })
      .filter((p) => p.id === run.outputs['post-id'] || p.root_id === run.outputs['post-id']);
    expect(posts.length).toBeGreaterThan(1);
    for (const post of posts) {
      expect([...post.message].length).toBeLessThanOrEqual(5000);
      expect((post.message.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(posts.slice(1).every((p) => p.root_id === posts[0]?.id)).toBe(true);
  });

  it('does not ask for MaxPostSize for a short message', async () => {
    await api({ channel: releasesId, message: 'short' });
    expect(server.requestsTo('GET', '/api/v4/config/client')).toHaveLength(0);
  });

  it('uploads files to the channel, one request each, up to ten on the post', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mm-files-'));
    for (let i = 1; i <= 7; i += 1)
      writeFileSync(join(workspace, `report-${i}.txt`), `report ${i}`);
    const run = await api(
      { channel: releasesId, message: 'reports', files: 'report-*.txt' },
      { workspace },
    );
    expect(run.exitCode).toBe(0);
    const rootId = run.outputs['post-id'];
    const thread = server
      .posts({ channel_id: releasesId })
      .filter((p) => p.id === rootId || p.root_id === rootId);
    expect(thread.map((p) => p.file_ids.length)).toEqual([7]);
    expect(server.requestsTo('POST', '/api/v4/files')).toHaveLength(7);
    expect(
      server
        .uploadedFiles()
        .filter((f) => f.channel_id === releasesId)
        .map((f) => f.name),
    ).toEqual(expect.arrayContaining(['report-1.txt', 'report-7.txt']));
  });

  it('explains a files pattern that matches nothing', async () => {
    const run = await api({ channel: releasesId, message: 'x', files: 'missing/*.log' });
    expect(run.errors).toEqual(['files pattern missing/*.log matches no file in the workspace.']);
  });

  it('refuses files that a link or .. leads outside the workspace, and sends nothing', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mm-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET');
    const workspace = mkdtempSync(join(tmpdir(), 'mm-files-'));
    mkdirSync(join(workspace, 'logs'));
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'logs', 'build.txt'));
    const linked = await api(
      { channel: releasesId, message: 'x', files: 'logs/*.txt' },
      { workspace },
    );
    expect(linked.errors).toEqual([
      'files logs/build.txt leads outside the workspace (through a link or ..): give a file inside the repository.',
    ]);
    const climbing = await api(
      { channel: releasesId, message: 'x', files: `*/../../${basename(outside)}/secret.txt` },
      { workspace },
    );
    expect(climbing.errors[0]).toMatch(/leads outside the workspace/);
    expect(server.requests).toHaveLength(0);
    expect(server.uploadedFiles().some((f) => f.content.toString() === 'TOP SECRET')).toBe(false);
  });

  it('explains that file attachments are disabled', async () => {
    server.config.enableFileAttachments = false;
    const workspace = mkdtempSync(join(tmpdir(), 'mm-files-'));
    writeFileSync(join(workspace, 'a.txt'), 'a');
    const run = await api({ channel: releasesId, message: 'x', files: 'a.txt' }, { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(
      /[Ff]ile attachments are disabled.*403 api\.file\.attachments\.disabled\.app_error/,
    );
  });
});

describe('API mode: server answers', () => {
  it('explains a rejected token once, without printing it', async () => {
    const run = await runAction({
      inputs: { 'server-url': server.url, token: 'not-a-real-token-123', user: 'ann,bob' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /token.*401 api\.context\.session_expired\.app_error, request \w+/,
    );
    expect(run.log.replace(/^::add-mask::.*$/gm, '')).not.toContain('not-a-real-token-123');
  });

  it('explains that the server hides emails from the bot', async () => {
    server.config.showEmailAddress = false;
    const run = await api({ 'user-email': 'jo@example.com', message: 'x' });
    expect(run.errors[0]).toMatch(
      /^Mattermost hides email addresses from this bot \(403 api\.user\.get_user_by_email\.permissions\.app_error(, request \w+)?\): turn on Show Email Address, make the bot a system admin, or use user: instead\.$/,
    );
  });

  it('explains direct messages restricted to shared teams', async () => {
    server.config.restrictDirectMessage = 'team';
    const run = await api({ user: 'faraway', message: 'x' });
    expect(run.errors[0]).toMatch(
      /faraway.*403 api\.channel\.create_channel\.direct_channel\.team_restricted_error/,
    );
  });

  it('explains a message over the server limit', async () => {
    server.inject({
      method: 'POST',
      path: '/api/v4/posts',
      status: 400,
      body: {
        id: 'model.post.is_valid.message_length.app_error',
        message: 'too long',
        status_code: 400,
      },
    });
    const run = await api({ channel: releasesId, message: 'x' });
    expect(run.errors[0]).toMatch(/400 model\.post\.is_valid\.message_length\.app_error/);
  });
});
