// Proxies and TLS, for real: a local forwarding proxy that alone knows where `mattermost.test`
// is, and a TLS front with a throwaway CA in front of the local Mattermost server.
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionOptions, node24, runAction, runDist, systemNode } from './support/action.js';
import { type ForwardProxy, startForwardProxy } from './support/forward-proxy.js';
import { MattermostTestServer } from './support/mattermost-server.js';
import { REFUSED_URL } from './support/refused.js';
import { startTlsFront, TLS_HOST_NAME, type TlsFront, testCertificates } from './support/tls.js';

let server: MattermostTestServer;
let proxy: ForwardProxy;
let front: TlsFront;
let token: string;
let channelId: string;
let plainUrl: string;
let tlsUrl: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  channelId = server.addChannel({ team: 'dev', name: 'builds', members: [bot.user.id] }).id;
  const serverPort = Number(new URL(server.url).port);
  proxy = await startForwardProxy({ [TLS_HOST_NAME]: '127.0.0.1' });
  front = await startTlsFront(serverPort);
  plainUrl = `http://${TLS_HOST_NAME}:${serverPort}`;
  tlsUrl = `https://${TLS_HOST_NAME}:${front.port}`;
});

afterAll(async () => {
  await proxy?.stop();
  await front?.stop();
  await server?.stop();
});

let postsBefore: number;
beforeEach(() => {
  server.clearLog();
  proxy.log.length = 0;
  postsBefore = server.posts().length;
});

const newPosts = () => server.posts().slice(postsBefore);
const requestLines = () => server.requests.map((r) => `${r.method} ${r.path}`);

function options(
  serverUrl: string,
  env: Record<string, string>,
  message: string,
  retries = '0',
): ActionOptions {
  return {
    inputs: { 'server-url': serverUrl, token, channel: channelId, message, retries, timeout: '5' },
    env,
  };
}

describe('proxies', () => {
  it('the test proxy also forwards absolute-URI requests, as curl sends them', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const proxied = new URL(proxy.url);
      const req = request(
        {
          host: proxied.hostname,
          port: proxied.port,
          path: `${plainUrl}/api/v4/users/me`,
          headers: { Authorization: `Bearer ${token}`, Host: new URL(plainUrl).host },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ username: 'notify-bot' });
    expect(proxy.log).toEqual([
      {
        kind: 'absolute',
        target: new URL(plainUrl).host,
        method: 'GET',
        path: '/api/v4/users/me',
        forwarded: true,
      },
    ]);
  });

  it.each(['HTTP_PROXY', 'http_proxy'])('sends plain http through %s', async (name) => {
    const run = await runAction(options(plainUrl, { [name]: proxy.url }, `via ${name}`));
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(proxy.log.length).toBeGreaterThan(0);
    // http-client tunnels plain http with CONNECT too; the proxy alone can resolve the name.
    expect(
      proxy.log.every((entry) => entry.target === new URL(plainUrl).host && entry.forwarded),
    ).toBe(true);
    expect(requestLines()).toEqual(['GET /api/v4/users/me', 'POST /api/v4/posts']);
    expect(newPosts().map((p) => p.message)).toEqual([`via ${name}`]);
    expect(run.warnings).toEqual([
      `server-url uses plain http:// to ${TLS_HOST_NAME}: the secret travels unencrypted; use https://.`,
    ]);
  });

  it.each(['NO_PROXY', 'no_proxy'])(
    'bypasses the proxy for a host in %s, which then cannot be resolved',
    async (name) => {
      const run = await runAction(
        options(plainUrl, { HTTP_PROXY: proxy.url, [name]: TLS_HOST_NAME }, 'bypass'),
      );
      expect(run.exitCode).toBe(1);
      expect(proxy.log).toEqual([]);
      expect(server.requests).toEqual([]);
      expect(run.errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `failed: the host name ${TLS_HOST_NAME}:\\d+ could not be resolved \\(ENOTFOUND\\); check the URL for a typo\\.$`,
          ),
        ),
      ]);
    },
  );

  it('names an unreachable proxy, and retries even a webhook post, which cannot have been sent', async () => {
    const deadProxy = REFUSED_URL;
    const run = await runAction({
      inputs: {
        'webhook-url': `${plainUrl}/hooks/abcdefghijklmnopqrstuvwxyz`,
        message: 'x',
        retries: '1',
      },
      env: { HTTP_PROXY: deadProxy },
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/Retrying POST .*\/hooks\/\*\*\* in .*: the proxy on the way to/);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /failed: the proxy on the way to mattermost\.test:\d+ could not be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\) \(2 attempts\); check HTTPS_PROXY or HTTP_PROXY and that the proxy is running\.$/,
      ),
    ]);
  });

  it('says a proxy asks for credentials (407) and does not retry', async () => {
    const strictProxy = createServer();
    strictProxy.on('connect', (_request, socket) => {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
    });
    strictProxy.listen(0, '127.0.0.1');
    await once(strictProxy, 'listening');
    const proxyUrl = `http://127.0.0.1:${(strictProxy.address() as AddressInfo).port}`;
    try {
      const run = await runAction(options(plainUrl, { HTTP_PROXY: proxyUrl }, 'x', '3'));
      expect(run.exitCode).toBe(1);
      expect(run.log).not.toMatch(/Retrying/);
      expect(run.errors).toEqual([
        expect.stringMatching(
          /the proxy refused to open a connection to mattermost\.test:\d+ \(HTTP 407\); check the user and password in HTTPS_PROXY or HTTP_PROXY\.$/,
        ),
      ]);
    } finally {
      strictProxy.close();
    }
  });

  // NODE_EXTRA_CA_CERTS is read at process start: https runs the bundle in a child process.
  it.each([
    { name: 'HTTPS_PROXY', node: systemNode, runtime: 'Node 20' },
    { name: 'https_proxy', node: node24, runtime: 'Node 24' },
  ])('tunnels https through $name with CONNECT ($runtime)', async ({ name, node }) => {
    const env = { [name]: proxy.url, NODE_EXTRA_CA_CERTS: testCertificates().caFile };
    const run = await runDist({ ...options(tlsUrl, env, `tunnelled via ${name}`), node });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(proxy.log.length).toBeGreaterThan(0);
    expect(
      proxy.log.every(
        (e) => e.kind === 'connect' && e.target === `${TLS_HOST_NAME}:${front.port}` && e.forwarded,
      ),
    ).toBe(true);
    expect(requestLines()).toEqual(['GET /api/v4/users/me', 'POST /api/v4/posts']);
    expect(newPosts().map((p) => p.message)).toEqual([`tunnelled via ${name}`]);
    expect(run.warnings).toEqual([]);
  });
});

describe.each([
  { runtime: 'Node 20', node: systemNode },
  { runtime: 'Node 24', node: node24 },
])('TLS with a private CA ($runtime)', ({ node }) => {
  it('fails without NODE_EXTRA_CA_CERTS, naming the certificate problem and the fix, without retrying', async () => {
    const run = await runDist({ ...options(front.url, {}, 'untrusted', '3'), node });
    expect(run.exitCode).toBe(1);
    expect(run.log).not.toMatch(/^Retrying /m);
    expect(server.requests).toEqual([]);
    expect(newPosts()).toEqual([]);
    expect(run.errors).toEqual([
      `GET ${front.url}/api/v4/users/me failed: the TLS certificate of 127.0.0.1:${front.port} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); if the server uses a private or self-signed certificate, point NODE_EXTRA_CA_CERTS at its CA certificate file.`,
    ]);
  });

  it('posts with NODE_EXTRA_CA_CERTS pointing at the CA', async () => {
    const run = await runDist({
      ...options(front.url, { NODE_EXTRA_CA_CERTS: testCertificates().caFile }, 'trusted'),
      node,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(requestLines()).toEqual(['GET /api/v4/users/me', 'POST /api/v4/posts']);
    expect(newPosts().map((p) => p.message)).toEqual(['trusted']);
    expect(run.warnings).toEqual([]);
  });

  it('names a certificate made out for another host', async () => {
    const wrongName = `https://localhost:${front.port}`;
    const run = await runDist({
      ...options(wrongName, { NODE_EXTRA_CA_CERTS: testCertificates().caFile }, 'x'),
      node,
    });
    expect(run.exitCode).toBe(1);
    expect(server.requests).toEqual([]);
    expect(run.errors).toEqual([
      `GET ${wrongName}/api/v4/users/me failed: the TLS certificate of localhost:${front.port} is for another host name (ERR_TLS_CERT_ALTNAME_INVALID); use the host name the certificate names.`,
    ]);
  });
});
