import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unexpectedAnswerError } from '../src/mattermost/answer.js';
import {
  createHttp,
  type Http,
  type HttpResponse,
  type HttpSettings,
  redactUrl,
} from '../src/mattermost/http.js';
import { MattermostTestServer } from './support/mattermost-server.js';
import { REFUSED_URL } from './support/refused.js';

const HOOK_ID = 'pq3sxkw9ujbd8n7yq1t5hcrmge';

let server: MattermostTestServer;
let hookUrl: string;
let token: string;
/** Tokens and hook ids handed out in this file: none may ever be printed. */
const secrets: string[] = [HOOK_ID];
const clients: Http[] = [];
/** Every log line and error message of this file, checked for secrets at the end. */
const printed: string[] = [];

interface Harness {
  http: Http;
  logs: string[];
  sleeps: number[];
}

function harness(settings: Partial<HttpSettings> = {}): Harness {
  const logs: string[] = [];
  const sleeps: number[] = [];
  const http = createHttp({
    retries: 3,
    timeoutSeconds: 5,
    log: (line) => {
      logs.push(line);
      printed.push(line);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...settings,
  });
  clients.push(http);
  return { http, logs, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<Error & { server?: unknown }> {
  try {
    await promise;
  } catch (error) {
    printed.push(String(error));
    return error as Error;
  }
  throw new Error('expected a failure');
}

const apiGet = (url = `${server.url}/api/v4/users/me`) =>
  ({ method: 'GET', url, headers: { Authorization: `Bearer ${token}` }, policy: 'api' }) as const;
const hookPost = (url = hookUrl) =>
  ({ method: 'POST', url, body: JSON.stringify({ text: 'hi' }), policy: 'webhook' }) as const;

beforeEach(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const creator = server.addUser({ username: 'creator', teams: ['dev'] });
  const channel = server.addChannel({ team: 'dev', name: 'builds', members: [creator.id] });
  const hook = server.addIncomingWebhook({ channel: channel.id, creator: creator.id });
  hookUrl = hook.url;
  token = server.addBot({ username: 'notifier', teams: ['dev'] }).token;
  secrets.push(hook.id, token);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await server.stop();
});

afterAll(() => {
  const leaks = printed.filter(
    (line) => secrets.some((secret) => line.includes(secret)) || /\/hooks\/(?!\*\*\*)/.test(line),
  );
  expect(printed.length).toBeGreaterThan(20);
  expect(leaks).toEqual([]);
});

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('redactUrl', () => {
  it('hides the webhook id, user info and query', () => {
    expect(redactUrl(`https://chat.example.com/hooks/${HOOK_ID}`)).toBe(
      'https://chat.example.com/hooks/***',
    );
    expect(redactUrl(`https://u:p@chat.example.com:8443/mm/hooks/${HOOK_ID}?x=${HOOK_ID}#f`)).toBe(
      'https://chat.example.com:8443/mm/hooks/***',
    );
    expect(redactUrl('https://chat.example.com/api/v4/posts')).toBe(
      'https://chat.example.com/api/v4/posts',
    );
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });
});

describe("retry policy 'api'", () => {
  it.each([408, 429, 502, 503, 504])('retries %i', async (status) => {
    server.inject({ path: '/api/v4/users/me', status });
    const { http, logs } = harness();
    const response = await http.send(apiGet());
    expect(response.status).toBe(200);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      new RegExp(
        `^Retrying GET http://127\\.0\\.0\\.1:\\d+/api/v4/users/me in [\\d.]+ s \\(attempt 2 of 4\\): ${status}`,
      ),
    );
  });

  it('retries a 500 only when the post is still being deduplicated', async () => {
    server.inject({
      path: '/api/v4/users/me',
      status: 500,
      body: { id: 'api.post.deduplicate_create_post.pending', message: 'x', status_code: 500 },
    });
    const { http, logs } = harness();
    expect((await http.send(apiGet())).status).toBe(200);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(2);
    expect(logs[0]).toContain('(attempt 2 of 4): 500 api.post.deduplicate_create_post.pending');
  });

  it.each([
    [400, undefined],
    [401, undefined],
    [403, undefined],
    [404, undefined],
    [413, undefined],
    [500, { id: 'app.post.save.app_error', status_code: 500 }],
    [500, { message: 'Internal Server Error', status_code: 500 }],
    [501, undefined],
  ])('does not retry %i %j', async (status, body) => {
    server.inject({ path: '/api/v4/users/me', status, ...(body ? { body } : {}) });
    const { http, logs } = harness();
    expect((await http.send(apiGet())).status).toBe(status);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(1);
    expect(logs).toEqual([]);
  });

  it('gives up after `retries` retries and returns the last answer', async () => {
    server.inject({ path: '/api/v4/users/me', status: 503, times: 10, body: 'upstream down' });
    const { http, logs } = harness({ retries: 2 });
    expect((await http.send(apiGet())).status).toBe(503);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(3);
    expect(logs.map((line) => /\(attempt \d of \d\)/.exec(line)?.[0])).toEqual([
      '(attempt 2 of 3)',
      '(attempt 3 of 3)',
    ]);
    expect(logs[0]).toMatch(/: 503 Service Unavailable$/);
  });

  it('retries 0 disables retrying', async () => {
    server.inject({ path: '/api/v4/users/me', status: 503, times: 10 });
    const { http, sleeps } = harness({ retries: 0 });
    expect((await http.send(apiGet())).status).toBe(503);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe("retry policy 'webhook'", () => {
  it.each([429, 503])('retries %i: the server did not take the post', async (status) => {
    server.inject({ path: /^\/hooks\//, status });
    const { http } = harness();
    expect((await http.send(hookPost())).status).toBe(200);
    expect(server.requestsTo('POST', /^\/hooks\//)).toHaveLength(2);
    expect(server.posts()).toHaveLength(1);
  });

  it.each([408, 500, 502, 504])('does not retry %i: it may have been posted', async (status) => {
    server.inject({ path: /^\/hooks\//, status });
    const { http, logs } = harness();
    expect((await http.send(hookPost())).status).toBe(status);
    expect(server.requestsTo('POST', /^\/hooks\//)).toHaveLength(1);
    expect(logs).toEqual([]);
  });

  it('logs the webhook URL with its id masked', async () => {
    server.inject({ path: /^\/hooks\//, status: 503, body: 'upstream down' });
    const { http, logs } = harness();
    await http.send(hookPost());
    expect(logs).toEqual([
      `Retrying POST ${server.url}/hooks/*** in 0.3 s (attempt 2 of 4): 503 Service Unavailable`,
    ]);
  });
});

describe("retry policy 'post'", () => {
  /** A POST /posts to the builds channel with one pending_post_id, as deliver.ts sends it. */
  function newPost(channelId: string) {
    return {
      method: 'POST',
      url: `${server.url}/api/v4/posts`,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        channel_id: channelId,
        message: 'deployed',
        pending_post_id: 'bot:1',
      }),
      policy: 'post',
    } as const;
  }
  /** The first attempt takes `ms` by this clock; every later reading is that far on. */
  const firstAttemptTakes = (ms: number) => {
    let readings = 0;
    return () => (readings++ === 0 ? 0 : ms);
  };

  it('retries a lost answer within 25 s: the same pending_post_id gives back the saved post', async () => {
    const bot = server.addBot({ username: 'poster', teams: ['dev'] });
    token = bot.token;
    secrets.push(token);
    const channel = server.addChannel({ team: 'dev', name: 'deploys', members: [bot.user.id] });
    server.inject({ method: 'POST', path: '/api/v4/posts', drop: true, afterHandling: true });
    const { http } = harness({ now: firstAttemptTakes(20_000) });
    expect((await http.send(newPost(channel.id))).status).toBe(201);
    expect(server.requestsTo('POST', '/api/v4/posts')).toHaveLength(2);
    expect(server.posts({ channel_id: channel.id })).toHaveLength(1);
  });

  it('does not retry a lost answer past 25 s, when the server may have forgotten the key', async () => {
    const bot = server.addBot({ username: 'poster', teams: ['dev'] });
    token = bot.token;
    secrets.push(token);
    const channel = server.addChannel({ team: 'dev', name: 'deploys', members: [bot.user.id] });
    server.inject({ method: 'POST', path: '/api/v4/posts', drop: true, afterHandling: true });
    const { http, logs } = harness({ now: firstAttemptTakes(26_000) });
    const error = await failure(http.send(newPost(channel.id)));
    expect(error.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/api\/v4\/posts failed: the connection to .* was dropped \(ECONNRESET\); the post may or may not have been saved, and Mattermost recognises a repeated post for only 30 s, so it was not retried: check the channel before running again\.$/,
    );
    expect(logs).toEqual([]);
    expect(server.requestsTo('POST', '/api/v4/posts')).toHaveLength(1);
    expect(server.posts({ channel_id: channel.id })).toHaveLength(1);
  });

  it("does not send a repeat that a pacer hold (another request's 429) pushed past 25 s", async () => {
    const bot = server.addBot({ username: 'poster', teams: ['dev'] });
    token = bot.token;
    secrets.push(token);
    const channel = server.addChannel({ team: 'dev', name: 'deploys', members: [bot.user.id] });
    // The post is saved and its answer lost at once; a parallel GET draws a 429 asking for 40 s
    // while the post's retry waits its backoff, so the repeat could leave only after 40 s.
    server.inject({ method: 'POST', path: '/api/v4/posts', drop: true, afterHandling: true });
    server.inject({
      path: '/api/v4/users/me',
      status: 429,
      headers: { 'Retry-After': '40' },
      body: 'limit exceeded\n',
      delayMs: 30,
    });
    let clock = 0;
    const { http } = harness({
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100)));
      },
    });
    const [post, get] = await Promise.allSettled([
      http.send(newPost(channel.id)),
      http.send(apiGet()),
    ]);
    expect(get).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
    expect(post.status).toBe('rejected');
    expect(post.status === 'rejected' && String(post.reason)).toMatch(
      /was dropped \(ECONNRESET\); the post may or may not have been saved, and Mattermost recognises a repeated post for only 30 s, so it was not retried/,
    );
    expect(server.requestsTo('POST', '/api/v4/posts')).toHaveLength(1);
    expect(server.posts({ channel_id: channel.id })).toHaveLength(1);
  });

  it('still retries a 503 past 25 s: the server did not take the post', async () => {
    const bot = server.addBot({ username: 'poster', teams: ['dev'] });
    token = bot.token;
    secrets.push(token);
    const channel = server.addChannel({ team: 'dev', name: 'deploys', members: [bot.user.id] });
    server.inject({ method: 'POST', path: '/api/v4/posts', status: 503 });
    const { http } = harness({ now: firstAttemptTakes(26_000) });
    expect((await http.send(newPost(channel.id))).status).toBe(201);
    expect(server.posts({ channel_id: channel.id })).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('waits a full-jitter delay: random × min(10 s, 500 ms × 2^n)', async () => {
    server.inject({ path: '/api/v4/users/me', status: 503, times: 20 });
    const draws = [0.5, 0.25, 0.999, 0, 0.5, 0.5, 0.5, 0.999];
    const { http, sleeps } = harness({ retries: 8, random: () => draws.shift() ?? 1 });
    await http.send(apiGet());
    expect(sleeps).toEqual([250, 250, 1998, 0, 4000, 5000, 5000, 9990]);
  });
});

describe('429', () => {
  const limited = (headers: Record<string, string>) =>
    server.inject({ path: '/api/v4/users/me', status: 429, headers, body: 'limit exceeded\n' });

  it('waits Retry-After seconds instead of the backoff', async () => {
    limited({ 'Retry-After': '7' });
    let draws = 0;
    const { http, sleeps, logs } = harness({ random: () => ++draws });
    expect((await http.send(apiGet())).status).toBe(200);
    expect(sleeps).toEqual([7000]);
    expect(draws).toBe(0);
    expect(logs[0]).toContain('in 7.0 s (attempt 2 of 4): 429 Too Many Requests');
  });

  it('else waits one interval at the sustained rate: Reset / (Limit − Remaining)', async () => {
    // throttled's GCRA: Limit is the burst + 1, Reset the time until the bucket is full.
    limited({
      'X-RateLimit-Limit': '101',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '11',
    });
    const { http, sleeps } = harness();
    expect((await http.send(apiGet())).status).toBe(200);
    expect(sleeps[0]).toBeCloseTo(11000 / 101);
  });

  it('else, without a Limit, waits X-RateLimit-Reset seconds', async () => {
    limited({ 'X-RateLimit-Reset': '3', 'X-RateLimit-Remaining': '0' });
    const { http, sleeps } = harness();
    expect((await http.send(apiGet())).status).toBe(200);
    // the retry's wait, then the pacer's wait for the same reset (instant here: injected sleep)
    expect(sleeps[0]).toBe(3000);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(2);
  });

  it('else falls back to the backoff', async () => {
    limited({});
    const { http, sleeps } = harness();
    await http.send(apiGet());
    expect(sleeps).toEqual([250]);
  });

  it('fails at once when asked to wait over 60 s', async () => {
    limited({ 'Retry-After': '120' });
    const { http, sleeps } = harness();
    const error = await failure(http.send(apiGet()));
    expect(error.message).toMatch(
      /asks to wait 120 s, longer than the 60 s this action waits \(429 Too Many Requests, request \w+\)/,
    );
    expect(error.server).toMatchObject({ status: 429 });
    expect(sleeps).toEqual([]);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(1);
  });
});

describe('pacing on X-RateLimit-Remaining', () => {
  const pacedHarness = (retries = 0) => {
    const waits: number[] = [];
    const paced = harness({
      retries,
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    return { ...paced, waits };
  };

  it('paces at the sustained rate once the burst is spent, not for the whole Reset', async () => {
    // 10/s with a burst of 20: Reset says 3 s (time to full), the next request passes in 0.1 s.
    server.config.rateLimit = { perSec: 10, maxBurst: 20 };
    const { http, waits } = pacedHarness();
    const answers: HttpResponse[] = [];
    for (let i = 0; i < 25; i++) answers.push(await http.send(apiGet()));
    expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200));
    const spent = answers.find((a) => a.headers['x-ratelimit-remaining'] === '0');
    expect(spent?.headers).toMatchObject({ 'x-ratelimit-limit': '21', 'x-ratelimit-reset': '3' });
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThan(500);
  });

  it('takes the most restrictive of duplicated headers (VaryByUser: "9, 8"), pacer still on', async () => {
    server.config.rateLimit = { perSec: 10, maxBurst: 3, varyByUser: true };
    const { http } = pacedHarness();
    const answers: HttpResponse[] = [];
    for (let i = 0; i < 10; i++) answers.push(await http.send(apiGet()));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers[0]?.headers['x-ratelimit-remaining']).toMatch(/^\d+, \d+$/);
  });

  it('paces on the most restrictive of differing duplicated values, not the first', async () => {
    // Two limiters answering (VaryByUser): the first set allows 50 more, the second none.
    const limited = createServer((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'X-RateLimit-Limit': ['101', '101'],
        'X-RateLimit-Remaining': ['50', '0'],
        'X-RateLimit-Reset': ['1', '11'],
      });
      res.end('{}');
    });
    const url = await listen(limited);
    try {
      const { http, sleeps } = harness({ retries: 0 });
      const first = await http.send(apiGet(`${url}/api/v4/users/me`));
      expect(first.headers['x-ratelimit-remaining']).toBe('50, 0');
      await http.send(apiGet(`${url}/api/v4/users/me`));
      // One interval of the second limiter, 11 s / 101, before the second request.
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThan(60);
      expect(sleeps[0]).toBeLessThanOrEqual(11_000 / 101 + 1);
    } finally {
      limited.close();
    }
  });

  it('holds every caller for Retry-After after a 429', async () => {
    server.inject({
      path: '/api/v4/users/me',
      status: 429,
      headers: { 'Retry-After': '2' },
      body: 'limit exceeded\n',
    });
    const { http, sleeps } = harness({ retries: 1 });
    const [first, second] = await Promise.all([http.send(apiGet()), http.send(apiGet())]);
    expect([first?.status, second?.status]).toEqual([200, 200]);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(3);
    expect(sleeps.filter((ms) => ms > 1900)).not.toHaveLength(0);
  });

  it('paces once the budget is spent, so no request draws a 429', async () => {
    server.config.rateLimit = { perSec: 10, maxBurst: 3 };
    const { http, logs } = harness({ retries: 0, sleep: undefined });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await http.send(apiGet())).status);
    expect(statuses).toEqual(Array(8).fill(200));
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(8);
    expect(
      logs.some((line) => line.startsWith('Mattermost rate limit reached: pacing requests')),
    ).toBe(true);
  });

  it('without a burst, finds a shorter interval than the rounded-up Reset, at the cost of one 429', async () => {
    // 10/s, maxBurst 0: Limit 1, Remaining always 0, Reset rounded up to 1 s: read as is, 1/s.
    server.config.rateLimit = { perSec: 10, maxBurst: 0 };
    const { http, waits } = pacedHarness(3);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await http.send(apiGet())).status);
    expect(statuses).toEqual(Array(20).fill(200));
    const sent = server.requestsTo('GET', '/api/v4/users/me').length;
    expect(sent - 20).toBeLessThanOrEqual(1); // the 429s
    // Read as 1/s, 19 waits of 1 s; found, well under half of that.
    const waited = waits.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeLessThan(8_000);
  }, 30_000);

  it('without a burst and with 20 callers at once: waits shared, one 429 at most', async () => {
    server.config.rateLimit = { perSec: 10, maxBurst: 0 };
    const { http, waits } = pacedHarness(3);
    // The first answer says there is no burst; everything after it is paced.
    expect((await http.send(apiGet())).status).toBe(200);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => http.send(apiGet())));
    expect(statuses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(server.requestsTo('GET', '/api/v4/users/me').length - 21).toBeLessThanOrEqual(1);
    // 20 callers waiting together share each wait: a timer per request let through, not per caller.
    expect(waits.length).toBeLessThanOrEqual(2 * 21);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(8_000);
  }, 30_000);

  it('callers held by one Retry-After share one timer', async () => {
    server.inject({
      path: '/api/v4/users/me',
      status: 429,
      headers: { 'Retry-After': '2' },
      body: 'limit exceeded\n',
    });
    const { http, sleeps } = harness({ retries: 0 });
    expect((await http.send(apiGet())).status).toBe(429);
    const answers = await Promise.all(Array.from({ length: 30 }, () => http.send(apiGet())));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(sleeps.filter((ms) => ms > 1000)).toHaveLength(1);
  });

  it('holds concurrent callers too: 30 requests, 5 at a time, none retried', async () => {
    server.config.rateLimit = { perSec: 20, maxBurst: 10 };
    const { http } = harness({ retries: 0, sleep: undefined });
    const queue = Array.from({ length: 30 }, (_, i) => i);
    const statuses: number[] = [];
    const worker = async () => {
      while (queue.shift() !== undefined) statuses.push((await http.send(apiGet())).status);
    };
    await Promise.all(Array.from({ length: 5 }, worker));
    expect(statuses).toEqual(Array(30).fill(200));
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(30);
  });
});

describe('timeouts (connect to last byte)', () => {
  it('cuts an answer that comes too late, and retries it for the API', async () => {
    server.inject({ path: '/api/v4/users/me', delayMs: 3000 });
    const { http, logs } = harness({ timeoutSeconds: 1 });
    expect((await http.send(apiGet())).status).toBe(200);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(2);
    expect(logs[0]).toMatch(
      /\(attempt 2 of 4\): no complete answer from 127\.0\.0\.1:\d+ within 1 s \(timeout\)$/,
    );
  });

  it('fails with the timeout once the retries are spent', async () => {
    server.inject({ path: '/api/v4/users/me', delayMs: 3000, times: 2 });
    const { http } = harness({ timeoutSeconds: 1, retries: 1 });
    const error = await failure(http.send(apiGet()));
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v4\/users\/me failed: no complete answer from 127\.0\.0\.1:\d+ within 1 s \(timeout\) \(2 attempts\); check that Mattermost is up, or raise timeout\.$/,
    );
  });

  it('does not retry a webhook post that timed out: it may have been posted', async () => {
    server.inject({ path: /^\/hooks\//, delayMs: 3000 });
    const { http, logs } = harness({ timeoutSeconds: 1 });
    const error = await failure(http.send(hookPost()));
    expect(error.message).toBe(
      `POST ${server.url}/hooks/*** failed: no complete answer from ${new URL(server.url).host} within 1 s (timeout); the message may or may not have been posted, so it was not retried (a webhook post cannot be repeated safely): check the channel before running again.`,
    );
    expect(server.requestsTo('POST', /^\/hooks\//)).toHaveLength(1);
    expect(logs).toEqual([]);
  });

  it('cuts a drip-fed answer at the deadline although bytes keep coming', async () => {
    const drip = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const url = await listen(drip);
    try {
      const { http } = harness({ timeoutSeconds: 1, retries: 0 });
      const error = await failure(http.send(apiGet(`${url}/api/v4/users/me`)));
      expect(error.message).toContain('within 1 s (timeout)');
    } finally {
      drip.closeAllConnections();
      drip.close();
    }
  });

  it('cuts an answer that stalls after its headers', async () => {
    const stall = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"id":');
    });
    const url = await listen(stall);
    try {
      const { http } = harness({ timeoutSeconds: 1, retries: 0 });
      const error = await failure(http.send(apiGet(`${url}/api/v4/users/me`)));
      expect(error.message).toContain('within 1 s (timeout)');
    } finally {
      stall.closeAllConnections();
      stall.close();
    }
  });
});

describe('network errors', () => {
  it('retries a dropped connection for the API', async () => {
    server.inject({ path: '/api/v4/users/me', drop: true });
    const { http, logs } = harness();
    expect((await http.send(apiGet())).status).toBe(200);
    expect(server.requestsTo('GET', '/api/v4/users/me')).toHaveLength(2);
    expect(logs[0]).toMatch(/: the connection to 127\.0\.0\.1:\d+ was dropped \(ECONNRESET\)$/);
  });

  it('does not retry a dropped webhook post and says it may have been posted', async () => {
    server.inject({ path: /^\/hooks\//, drop: true, afterHandling: true });
    const { http } = harness();
    const error = await failure(http.send(hookPost()));
    expect(error.message).toContain(
      'was dropped (ECONNRESET); the message may or may not have been posted, so it was not retried',
    );
    expect(server.requestsTo('POST', /^\/hooks\//)).toHaveLength(1);
    expect(server.posts()).toHaveLength(1);
  });

  it.each(['api', 'webhook'] as const)('retries a refused connection (%s)', async (policy) => {
    const url = `${REFUSED_URL}/hooks/${HOOK_ID}`;
    const { http, logs, sleeps } = harness({ retries: 2 });
    const error = await failure(http.send({ method: 'POST', url, body: '{}', policy }));
    const host = new URL(url).host;
    expect(error.message).toBe(
      `POST http://${host}/hooks/*** failed: ${host} refused the connection (ECONNREFUSED) (3 attempts); check the URL and that Mattermost is running.`,
    );
    expect(sleeps).toEqual([250, 500]);
    expect(logs).toHaveLength(2);
  });

  it.each(['api', 'webhook'] as const)(
    'retries a DNS failure (%s) and names the host',
    async (policy) => {
      const { http, sleeps } = harness({ retries: 1 });
      const url = `https://mattermost.invalid/hooks/${HOOK_ID}`;
      const error = await failure(http.send({ method: 'POST', url, body: '{}', policy }));
      expect(error.message).toMatch(
        /^POST https:\/\/mattermost\.invalid\/hooks\/\*\*\* failed: the host name mattermost\.invalid could not be resolved \((ENOTFOUND|EAI_AGAIN)\) \(2 attempts\); check the URL for a typo\.$/,
      );
      expect(sleeps).toHaveLength(1);
    },
  );

  it('names an untrusted certificate, points at NODE_EXTRA_CA_CERTS and does not retry', async () => {
    let connections = 0;
    const tls = createHttpsServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) =>
      res.end('ok'),
    );
    tls.on('connection', () => connections++);
    await once(tls.listen(0, '127.0.0.1'), 'listening');
    try {
      const { http } = harness();
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/api/v4/users/me`;
      const error = await failure(http.send(apiGet(url)));
      expect(error.message).toMatch(
        /the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); if the server uses a private or self-signed certificate, point NODE_EXTRA_CA_CERTS at its CA certificate file\.$/,
      );
      expect(connections).toBe(1);
    } finally {
      tls.close();
    }
  });
});

describe('answers', () => {
  it('sends a Buffer body intact and returns status, lower-case headers and text', async () => {
    const { http } = harness();
    const echo = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(201, { 'X-Request-Id': 'r1', 'Content-Type': 'application/octet-stream' });
        res.end(Buffer.concat(chunks).toString('hex'));
      });
    });
    const url = await listen(echo);
    try {
      const body = Buffer.from([0, 255, 10, 13, 0xe2, 0x82]);
      const response = await http.send({ method: 'POST', url, body, policy: 'api' });
      expect(response).toMatchObject({ status: 201, text: body.toString('hex') });
      expect(response.headers['x-request-id']).toBe('r1');
    } finally {
      echo.close();
    }
  });

  it('turns a proxy HTML page into one short line', async () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'<p>nginx</p>'.repeat(200)}</body></html>`;
    server.inject({
      path: '/api/v4/users/me',
      status: 502,
      body: html,
      headers: { 'Content-Type': 'text/html' },
    });
    const { http } = harness({ retries: 0 });
    const response = await http.send(apiGet());
    const error = unexpectedAnswerError(response, 'Reading the bot user');
    printed.push(error.message);
    expect(error.message).toMatch(
      /^Reading the bot user failed: Mattermost or a proxy in front of it is unavailable \(502 Bad Gateway, request \w+\); try again later\.$/,
    );
    expect(error.server).toEqual({ status: 502, requestId: response.headers['x-request-id'] });
  });

  it('reads a hardened-mode 500 without an id', async () => {
    server.config.hardened = true;
    server.inject({ path: '/api/v4/users/me', status: 500 });
    const { http } = harness({ retries: 0 });
    const response = await http.send(apiGet());
    const error = unexpectedAnswerError(response, 'Reading the bot user');
    expect(error.message).toMatch(
      /the server had an internal error \(500 Internal Server Error, request \w+\); see the Mattermost server logs\.$/,
    );
  });

  it('reports a redirect instead of following it with the secret', async () => {
    server.inject({
      path: /^\/hooks\//,
      status: 301,
      headers: { Location: `https://chat.example.com/hooks/${HOOK_ID}` },
    });
    const { http } = harness();
    const response = await http.send(hookPost());
    expect(response.status).toBe(301);
    const error = unexpectedAnswerError(response, 'Posting');
    printed.push(error.message);
    expect(error.message).toContain(
      'a redirect to https://chat.example.com (301 Moved Permanently',
    );
  });
});

// A self-signed certificate for 127.0.0.1 (valid to 2125), only to make a TLS handshake fail.
const SELF_SIGNED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVxbUj/MdEy3EUkYN
yHT8/r5Hzmt38Xx2CQopI93aCBChRANCAAQ03JPd7VRQx4/B39iwmtbawVJbHF4T
51ixeqcOrnn6U7uAWauGfRmmMxEd0jwdmfFQiAeoxEn1gM8CmNDR7wiU
-----END PRIVATE KEY-----`;
const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBkTCCATagAwIBAgIUay2+2tfSdvU+p7SZ+7C8kTHrPNkwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjE4NTk0OVoYDzIxMjYxMDI5
MTg1OTQ5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQ03JPd7VRQx4/B39iwmtbawVJbHF4T51ixeqcOrnn6U7uAWauGfRmm
MxEd0jwdmfFQiAeoxEn1gM8CmNDR7wiUo2QwYjAdBgNVHQ4EFgQUBP7smUClDByi
MVqnXDD6t8iLNjMwHwYDVR0jBBgwFoAUBP7smUClDByiMVqnXDD6t8iLNjMwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0kAMEYC
IQCp1QnHJBxr49+8haNTZAVSzeqxYqNoKnEo03NixNzyhgIhALo5ccwV0/c+RMXG
jNS7UcX/Bt/K5uI//FqVcdvQF7rh
-----END CERTIFICATE-----`;
