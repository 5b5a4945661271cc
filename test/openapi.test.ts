// The OpenAPI check the test server runs on every request and answer (test/support/openapi.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../src/mattermost/api.js';
import { createHttp } from '../src/mattermost/http.js';
import {
  MattermostTestServer,
  openApiCheckedRequests,
  TEST_SERVER_FAILED,
  takeOpenApiViolations,
} from './support/mattermost-server.js';
import { type CheckedRequest, loadOpenApi, openApi } from './support/openapi.js';

let server: MattermostTestServer;
let token: string;
let channelId: string;

beforeEach(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notifier', teams: ['dev'] });
  token = bot.token;
  channelId = server.addChannel({ team: 'dev', name: 'builds', members: [bot.user.id] }).id;
});

afterEach(async () => {
  await server.stop();
});

function send(method: string, path: string, body?: string | FormData, contentType?: string) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(contentType ? { 'Content-Type': contentType } : {}),
    },
    ...(body === undefined ? {} : { body }),
  });
}

const problems = () => server.takeRequestViolations().map((v) => `${v.request}: ${v.problem}`);

describe('requests the published API would refuse are recorded', () => {
  it('a body of the wrong shape', async () => {
    await send(
      'POST',
      '/api/v4/posts',
      JSON.stringify({ channel_id: channelId }),
      'application/json',
    );
    await send(
      'POST',
      '/api/v4/posts',
      JSON.stringify({ channel_id: channelId, message: 'x', file_ids: 'abc' }),
      'application/json',
    );
    expect(problems()).toEqual([
      "POST /api/v4/posts: body must have required property 'message'",
      'POST /api/v4/posts: body/file_ids must be array',
    ]);
  });

  it('a value of the wrong type is refused with 400, as the Go decoder does, and not stored', async () => {
    const res = await send(
      'POST',
      '/api/v4/posts',
      JSON.stringify({
        channel_id: channelId,
        message: 'x',
        metadata: { priority: { priority: 5 } },
      }),
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { id?: string }).id).toBe(
      'api.context.invalid_body_param.app_error',
    );
    expect(server.posts()).toEqual([]);
    expect(problems()).toEqual([
      'POST /api/v4/posts: body/metadata/priority/priority must be string',
    ]);
  });

  it('a field the files do not name (a misspelt file_id) is recorded', async () => {
    await send(
      'POST',
      '/api/v4/posts',
      JSON.stringify({ channel_id: channelId, message: 'x', file_id: ['abc'] }),
      'application/json',
    );
    expect(problems()).toEqual([
      'POST /api/v4/posts: body must NOT have additional properties (file_id)',
    ]);
  });

  it('two files in one upload request (the files take one file per request)', async () => {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('files', new Blob(['a']), 'a.txt');
    form.append('files', new Blob(['b']), 'b.txt');
    await send('POST', '/api/v4/files', form);
    expect(problems()).toEqual(['POST /api/v4/files: body/files must be string']);
  });

  it('an unknown query parameter, a query of the wrong type, a route nobody describes', async () => {
    await send('GET', '/api/v4/users/me?fields=all');
    await send(
      'POST',
      '/api/v4/posts?set_online=maybe',
      JSON.stringify({ channel_id: channelId, message: 'x' }),
      'application/json',
    );
    await send('GET', '/api/v4/nowhere');
    expect(problems()).toEqual([
      'GET /api/v4/users/me: query parameter fields is not one GET /api/v4/users/{user_id} takes',
      'POST /api/v4/posts: query set_online must be boolean',
      expect.stringMatching(/^GET \/api\/v4\/nowhere: no operation in .* describes this request$/),
    ]);
  });

  it("what the client sends passes, the patch's props object included (a listed deviation)", async () => {
    const http = createHttp({ retries: 0, timeoutSeconds: 5, log: () => undefined });
    const api = createApiClient(http, server.url, token);
    const fileId = await api.uploadFile(channelId, { name: 'a.txt', content: Buffer.from('a') });
    const post = await api.createPost({
      channel_id: channelId,
      message: 'x',
      pending_post_id: 'p:1',
      file_ids: [fileId],
      metadata: { priority: { priority: 'urgent' } },
      props: { card: 'x' },
    });
    await api.patchPost(post.id, { message: 'y', props: { a: 1 } });
    http.dispose();
    expect(server.requests).toHaveLength(3);
    expect(problems()).toEqual([]);
    expect(openApiCheckedRequests()).toBeGreaterThanOrEqual(3);
  });
});

describe('a failure of the test server itself is a clear failure', () => {
  it('answers a 500 with its own id and records it, rather than dropping the connection', async () => {
    // An answer that cannot be written (JSON.stringify throws on a BigInt) stands in for any bug.
    server.inject({ path: '/api/v4/users/me', status: 500, body: { broken: 10n } });
    const res = await send('GET', '/api/v4/users/me');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { id?: string }).id).toBe(TEST_SERVER_FAILED);
    const failures = takeOpenApiViolations();
    expect(failures.map((v) => [v.kind, v.request])).toEqual([['server', 'GET /api/v4/users/me']]);
    expect(failures[0]?.problem).toMatch(
      /^the test server failed: TypeError: Do not know how to serialize a BigInt/,
    );
  });

  it('a missing OpenAPI folder fails naming the path', () => {
    expect(() => loadOpenApi('/nonexistent/openapi')).toThrow(
      /^openapi: the Mattermost OpenAPI folder \/nonexistent\/openapi is missing/,
    );
  });
});

describe('answers are checked with no invented fields', () => {
  const request: CheckedRequest = {
    method: 'GET',
    path: '/api/v4/users/me',
    query: {},
    contentType: undefined,
    body: Buffer.alloc(0),
  };
  const answer = (status: number, body: unknown) => ({
    status,
    contentType: 'application/json',
    body: JSON.stringify(body),
  });

  it('a field the files do not name is refused; the real ones they miss are listed', () => {
    const check = openApi();
    expect(
      check.checkResponse(request, answer(200, { id: 'u', username: 'jo', is_bot: true })),
    ).toEqual([]);
    expect(check.checkResponse(request, answer(200, { id: 'u', made_up: 1 }))).toEqual([
      'answer must NOT have additional properties (made_up)',
    ]);
  });

  it('errors are AppErrors; a 429 is plain text', () => {
    const check = openApi();
    const appError = {
      id: 'x',
      message: 'm',
      detailed_error: '',
      request_id: 'r',
      status_code: 404,
    };
    expect(check.checkResponse(request, answer(404, appError))).toEqual([]);
    expect(check.checkResponse(request, answer(404, { ...appError, status_code: '404' }))).toEqual([
      'answer/status_code must be integer',
    ]);
    const limited = {
      status: 429,
      contentType: 'text/plain; charset=utf-8',
      body: 'limit exceeded\n',
    };
    expect(check.checkResponse(request, limited)).toEqual([]);
  });

  it('a success the files do not list for the operation is refused', () => {
    expect(openApi().checkResponse(request, answer(201, {}))).toEqual([
      'the files list no 201 answer for GET /api/v4/users/{user_id}',
    ]);
  });
});

describe('operations the copied files lack come from the supplement', () => {
  const post = (path: string, body: unknown): CheckedRequest => ({
    method: 'POST',
    path,
    query: {},
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(body)),
  });

  it('reactions (SaveReaction, DeleteReaction) are checked against the Reaction schema', () => {
    const check = openApi();
    expect(
      check.checkRequest(
        post('/api/v4/reactions', { user_id: 'u', post_id: 'p', emoji_name: 'tada' }),
      ),
    ).toEqual([]);
    expect(check.checkRequest(post('/api/v4/reactions', { emoji_name: 7 }))).toEqual([
      'body/emoji_name must be string',
    ]);
    const remove: CheckedRequest = {
      method: 'DELETE',
      path: '/api/v4/users/u/posts/p/reactions/tada',
      query: {},
      contentType: undefined,
      body: Buffer.alloc(0),
    };
    expect(check.checkRequest(remove)).toEqual([]);
    expect(check.checkResponse(remove, answer(200, { status: 'OK' }))).toEqual([]);
  });

  it('incoming webhooks: JSON with any Content-Type, or a form', () => {
    const check = openApi();
    expect(
      check.checkRequest(post('/hooks/abc', { text: 'x', priority: { priority: 'urgent' } })),
    ).toEqual([]);
    expect(
      check.checkRequest({ ...post('/hooks/abc', { text: 1 }), contentType: 'text/plain' }),
    ).toEqual(['body/text must be string']);
  });
});

function answer(status: number, body: unknown) {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}
