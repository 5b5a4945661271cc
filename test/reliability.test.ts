import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from './support/action.js';
import { MattermostTestServer } from './support/mattermost-server.js';
import { REFUSED_PORT } from './support/refused.js';

const POSTS = '/api/v4/posts';
const ME = '/api/v4/users/me';
const PROXY_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.27.0</center>\r\n</body>\r\n</html>\r\n';

let server: MattermostTestServer;
let token: string;
let channelId: string;
let hookUrl: string;
let hookPath: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  const owner = server.addUser({ username: 'hook-owner', teams: ['dev'] });
  channelId = server.addChannel({
    team: 'dev',
    name: 'builds',
    members: [bot.user.id, owner.id],
  }).id;
  const hook = server.addIncomingWebhook({ channel: channelId, creator: owner.id });
  hookUrl = hook.url;
  hookPath = `/hooks/${hook.id}`;
});

afterAll(async () => {
  await server.stop();
});

let postsBefore: number;
beforeEach(() => {
  server.clearLog();
  postsBefore = server.posts().length;
});

const newPosts = () => server.posts().slice(postsBefore);
const count = (method: string, path: string) => server.requestsTo(method, path).length;
const retryLines = (run: ActionRun) =>
  run.log.split('\n').filter((line) => line.startsWith('Retrying '));
const pendingPostIds = () =>
  server
    .requestsTo('POST', POSTS)
    .map((r) => (r.json as { pending_post_id?: string }).pending_post_id);

function api(inputs: Record<string, string> = {}) {
  return runAction({
    inputs: { 'server-url': server.url, token, channel: channelId, message: 'deployed', ...inputs },
  });
}

function webhook(inputs: Record<string, string> = {}) {
  return runAction({ inputs: { 'webhook-url': hookUrl, message: 'deployed', ...inputs } });
}

/** A port nothing listens on: connecting to it is refused. */
describe('API mode under faults', () => {
  it('retries a 503 and posts once', async () => {
    server.inject({ method: 'POST', path: POSTS, status: 503 });
    const run = await api();
    expect(run.exitCode).toBe(0);
    expect(count('GET', ME)).toBe(1);
    expect(count('POST', POSTS)).toBe(2);
    expect(server.requests).toHaveLength(3);
    expect(newPosts()).toHaveLength(1);
    expect(retryLines(run)).toEqual([
      expect.stringMatching(
        /^Retrying POST http:\/\/127\.0\.0\.1:\d+\/api\/v4\/posts in \d+\.\d s \(attempt 2 of 4\): 503 test_server\.injected_fault\.app_error$/,
      ),
    ]);
    expect(run.outputs['post-id']).toBe(newPosts()[0]?.id);
  });

  it('retries a response lost after the post was saved with the same pending_post_id: one post', async () => {
    server.inject({ method: 'POST', path: POSTS, afterHandling: true, drop: true });
    const run = await api();
    expect(run.exitCode).toBe(0);
    expect(count('POST', POSTS)).toBe(2);
    const [first, second] = pendingPostIds();
    expect(first).toMatch(/^[a-z0-9]{26}:[0-9a-f]{20}$/);
    expect(second).toBe(first);
    expect(newPosts()).toHaveLength(1);
    // The retry was answered 201 with the post saved by the first attempt.
    expect(run.outputs['post-id']).toBe(newPosts()[0]?.id);
    expect(retryLines(run)).toEqual([expect.stringContaining('was dropped (ECONNRESET)')]);
  });

  it('waits out a post still being saved (500 deduplicate pending) and posts once', async () => {
    // The first attempt is held 2 s by the server, longer than the 1 s timeout: the client gives
    // up and retries within 0.5 s, while the first is still being saved.
    server.inject({ method: 'POST', path: POSTS, delayMs: 2000 });
    const run = await api({ timeout: '1', retries: '10' });
    expect(run.exitCode).toBe(0);
    const retries = retryLines(run);
    const pending = retries.filter((line) =>
      line.endsWith(': 500 api.post.deduplicate_create_post.pending'),
    );
    expect(retries[0]).toMatch(/within 1 s \(timeout\)$/);
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(retries).toHaveLength(1 + pending.length);
    // One timed out, each pending answer retried, and the last answered 201 with the saved post.
    expect(count('POST', POSTS)).toBe(2 + pending.length);
    expect(new Set(pendingPostIds()).size).toBe(1);
    expect(newPosts()).toHaveLength(1);
    expect(run.outputs['post-id']).toBe(newPosts()[0]?.id);
  });

  it('waits Retry-After on a 429 and posts once', async () => {
    server.inject({
      method: 'POST',
      path: POSTS,
      status: 429,
      headers: { 'Retry-After': '1' },
      body: 'limit exceeded\n',
    });
    const run = await api();
    expect(run.exitCode).toBe(0);
    expect(count('POST', POSTS)).toBe(2);
    expect(newPosts()).toHaveLength(1);
    expect(retryLines(run)).toEqual([
      expect.stringMatching(/ in 1\.0 s \(attempt 2 of 4\): 429 Too Many Requests$/),
    ]);
  });

  it("retries a proxy's 502 HTML page and posts once", async () => {
    server.inject({
      method: 'POST',
      path: POSTS,
      status: 502,
      headers: { 'Content-Type': 'text/html' },
      body: PROXY_PAGE,
    });
    const run = await api();
    expect(run.exitCode).toBe(0);
    expect(count('POST', POSTS)).toBe(2);
    expect(newPosts()).toHaveLength(1);
    expect(retryLines(run)).toEqual([expect.stringMatching(/: 502 Bad Gateway$/)]);
  });

  it('gives up on a 502 that persists with one short line, no HTML', async () => {
    server.inject({
      method: 'POST',
      path: POSTS,
      status: 502,
      headers: { 'Content-Type': 'text/html' },
      body: PROXY_PAGE,
      times: 3,
    });
    const run = await api({ retries: '2' });
    expect(run.exitCode).toBe(1);
    expect(count('POST', POSTS)).toBe(3);
    expect(newPosts()).toHaveLength(0);
    expect(run.errors).toHaveLength(1);
    const [error = ''] = run.errors;
    expect(error).not.toContain('\n');
    expect(error).not.toMatch(/<|html|nginx/i);
    expect(error).toContain('(502 Bad Gateway, request ');
    expect(error).toMatch(/unavailable .*try again later/);
    expect(error.length).toBeLessThan(300);
    expect(run.posts.map((p) => p.status)).toEqual(['failed']);
  });

  it.each([400, 401, 403, 404])('does not retry a %i', async (status) => {
    server.inject({ method: 'POST', path: POSTS, status });
    const run = await api();
    expect(run.exitCode).toBe(1);
    expect(count('POST', POSTS)).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(retryLines(run)).toEqual([]);
    expect(newPosts()).toHaveLength(0);
    expect(run.errors).toEqual([
      expect.stringContaining(`(${status} test_server.injected_fault.app_error, request `),
    ]);
  });

  it('does not retry a rejected token: one request, and the line says to check the token', async () => {
    const run = await api({ token: 'wrongwrongwrongwrongwrong1' });
    expect(run.exitCode).toBe(1);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${ME}`]);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Mattermost rejected the token \(401 api\.context\.session_expired\.app_error, request \w+\): check token .* and server-url\.$/,
      ),
    ]);
  });

  it('retries: 0 disables retrying', async () => {
    server.inject({ method: 'POST', path: POSTS, status: 503 });
    const run = await api({ retries: '0' });
    expect(run.exitCode).toBe(1);
    expect(count('POST', POSTS)).toBe(1);
    expect(retryLines(run)).toEqual([]);
    expect(newPosts()).toHaveLength(0);
    expect(run.errors).toEqual([
      expect.stringContaining('(503 test_server.injected_fault.app_error, request '),
    ]);
  });

  it('retries a refused connection, then names ECONNREFUSED and the host', async () => {
    const port = REFUSED_PORT;
    const run = await runAction({
      inputs: {
        'server-url': `http://127.0.0.1:${port}`,
        token,
        channel: channelId,
        message: 'x',
        retries: '2',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(retryLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Retrying GET http://127\\.0\\.0\\.1:${port}/api/v4/users/me in \\d+\\.\\d s \\(attempt 2 of 3\\): 127\\.0\\.0\\.1:${port} refused the connection \\(ECONNREFUSED\\)$`,
        ),
      ),
      expect.stringMatching(/\(attempt 3 of 3\): .*ECONNREFUSED/),
    ]);
    expect(run.errors).toEqual([
      `GET http://127.0.0.1:${port}/api/v4/users/me failed: 127.0.0.1:${port} refused the connection (ECONNREFUSED) (3 attempts); check the URL and that Mattermost is running.`,
    ]);
  });

  it('cuts an attempt at timeout seconds and retries it', async () => {
    server.inject({ method: 'GET', path: ME, delayMs: 3000, times: 2 });
    const run = await api({ timeout: '1', retries: '1' });
    expect(run.exitCode).toBe(1);
    expect(count('GET', ME)).toBe(2);
    expect(count('POST', POSTS)).toBe(0);
    expect(newPosts()).toHaveLength(0);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/users\/me failed: no complete answer from 127\.0\.0\.1:\d+ within 1 s \(timeout\) \(2 attempts\); check that Mattermost is up, or raise timeout\.$/,
      ),
    ]);
  });
});

describe('webhook mode under faults', () => {
  it('retries a 503 and posts once', async () => {
    server.inject({ method: 'POST', path: hookPath, status: 503 });
    const run = await webhook();
    expect(run.exitCode).toBe(0);
    expect(count('POST', hookPath)).toBe(2);
    expect(newPosts()).toHaveLength(1);
  });

  it('waits Retry-After on a 429 and posts once', async () => {
    server.inject({
      method: 'POST',
      path: hookPath,
      status: 429,
      headers: { 'Retry-After': '1' },
      body: 'limit exceeded\n',
    });
    const run = await webhook();
    expect(run.exitCode).toBe(0);
    expect(count('POST', hookPath)).toBe(2);
    expect(newPosts()).toHaveLength(1);
    expect(retryLines(run)).toEqual([
      expect.stringMatching(/\/hooks\/\*\*\* in 1\.0 s \(attempt 2 of 4\): 429 Too Many Requests$/),
    ]);
  });

  it('does not retry a connection dropped after the post was saved, and says it may have been posted', async () => {
    server.inject({ method: 'POST', path: hookPath, afterHandling: true, drop: true });
    const run = await webhook();
    expect(run.exitCode).toBe(1);
    expect(count('POST', hookPath)).toBe(1);
    expect(newPosts()).toHaveLength(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^POST http:\/\/127\.0\.0\.1:\d+\/hooks\/\*\*\* failed: the connection to 127\.0\.0\.1:\d+ was dropped \(ECONNRESET\); the message may or may not have been posted, so it was not retried .*check the channel before running again\.$/,
      ),
    ]);
  });

  it.each([502, 504])(
    'does not retry a %i from a proxy: the post may have gone through',
    async (status) => {
      server.inject({
        method: 'POST',
        path: hookPath,
        status,
        headers: { 'Content-Type': 'text/html' },
        body: PROXY_PAGE,
      });
      const run = await webhook();
      expect(run.exitCode).toBe(1);
      expect(count('POST', hookPath)).toBe(1);
      expect(newPosts()).toHaveLength(0);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatch(
        new RegExp(
          `got \\(${status} [A-Za-z ]+, request \\w+\\) from a proxy; the message may or may not have been posted, so it was not retried`,
        ),
      );
      expect(run.errors[0]).not.toMatch(/<|nginx/);
    },
  );

  it('retries a refused connection: nothing can have been posted', async () => {
    const port = REFUSED_PORT;
    const run = await runAction({
      inputs: {
        'webhook-url': `http://127.0.0.1:${port}/hooks/abcdefghijklmnopqrstuvwxyz`,
        message: 'x',
        retries: '2',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(retryLines(run)).toHaveLength(2);
    expect(run.errors).toEqual([
      `POST http://127.0.0.1:${port}/hooks/*** failed: 127.0.0.1:${port} refused the connection (ECONNREFUSED) (3 attempts); check the URL and that Mattermost is running.`,
    ]);
  });
});

describe('rate limits at scale', () => {
  it('DMs 100 users by username under perSec 10, maxBurst 100: each exactly once', async ({
    annotate,
  }) => {
    const limited = await MattermostTestServer.start({ rateLimit: { perSec: 10, maxBurst: 100 } });
    try {
      limited.addTeam({ name: 'dev' });
      const bot = limited.addBot({ username: 'notify-bot', teams: ['dev'] });
      const names = Array.from({ length: 100 }, (_, i) => `user${String(i).padStart(3, '0')}`);
      for (const name of names) limited.addUser({ username: name, teams: ['dev'] });
      const started = Date.now();
      const run = await runAction({
        inputs: {
          'server-url': limited.url,
          token: bot.token,
          user: names.join(','),
          message: 'release {{ github.sha }}',
        },
      });
      const seconds = (Date.now() - started) / 1000;
      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);
      const posts = limited.posts();
      expect(posts).toHaveLength(100);
      expect(new Set(posts.map((p) => p.channel_id)).size).toBe(100);
      expect(run.posts.filter((p) => p.status === 'sent')).toHaveLength(100);
      // users/me, one users/usernames, 100 channels/direct, 100 posts; anything more is a 429 retried.
      const expected = 1 + 1 + 100 + 100;
      const rejected = limited.requests.length - expected;
      expect(rejected).toBe(
        retryLines(run).filter((line) => line.endsWith(': 429 Too Many Requests')).length,
      );
      expect(limited.requestsTo('POST', '/api/v4/users/usernames')).toHaveLength(1);
      await annotate(
        `100 DMs in ${seconds.toFixed(1)} s, ${limited.requests.length} requests, ${rejected} answered 429`,
      );
    } finally {
      await limited.stop();
    }
  }, 60_000);
});
