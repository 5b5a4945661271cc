/**
 * A forwarding HTTP proxy on 127.0.0.1 for tests: absolute-URI requests (`GET http://host/path`)
 * and `CONNECT host:port` tunnels. It resolves made-up host names itself (`mattermost.test` →
 * 127.0.0.1), so the action can be pointed at a name that is not loopback (http-client never
 * proxies loopback) and that no DNS knows (so a request that bypasses the proxy fails).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxiedRequest {
  /** `absolute`: a plain-http request forwarded by the proxy; `connect`: a tunnel. */
  kind: 'absolute' | 'connect';
  /** `mattermost.test:1234`, as the client asked for it. */
  target: string;
  /** For `absolute`: method and path of the forwarded request. */
  method?: string;
  path?: string;
  /** Whether the proxy knew the host and reached it. */
  forwarded: boolean;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for `HTTPS_PROXY`/`HTTP_PROXY`. */
  url: string;
  /** Every request the proxy was asked to forward, in order. */
  log: ProxiedRequest[];
  stop(): Promise<void>;
}

/** `hosts` maps a host name to the address the proxy connects to instead, e.g. 127.0.0.1. */
export async function startForwardProxy(hosts: Record<string, string>): Promise<ForwardProxy> {
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket | Duplex>();
  const addressOf = (hostname: string) => hosts[hostname.toLowerCase()];

  const server = createServer((req, res) => forwardAbsolute(req, res, addressOf, log));
  server.on('connection', (socket) => track(sockets, socket));
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(sockets, client);
    tunnel(req, client, head, addressOf, log, sockets);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

function track(sockets: Set<Socket | Duplex>, socket: Socket | Duplex): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
}

function forwardAbsolute(
  req: IncomingMessage,
  res: ServerResponse,
  addressOf: (hostname: string) => string | undefined,
  log: ProxiedRequest[],
): void {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    res.writeHead(400).end('the proxy takes absolute URIs only');
    return;
  }
  const address = addressOf(url.hostname);
  const entry: ProxiedRequest = {
    kind: 'absolute',
    target: url.host,
    method: req.method ?? 'GET',
    path: url.pathname,
    forwarded: address !== undefined,
  };
  log.push(entry);
  if (address === undefined) {
    res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`unknown host ${url.hostname}`);
    return;
  }
  const upstream = httpRequest(
    {
      host: address,
      port: url.port || 80,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: withoutProxyHeaders(req.headers),
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      answer.on('close', () => {
        if (!answer.complete) res.destroy();
      });
    },
  );
  // An upstream that drops the connection drops the client's too, as a real proxy would.
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

function tunnel(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  addressOf: (hostname: string) => string | undefined,
  log: ProxiedRequest[],
  sockets: Set<Socket | Duplex>,
): void {
  const target = req.url ?? '';
  const [hostname = '', port = '443'] = target.split(':');
  const address = addressOf(hostname);
  log.push({ kind: 'connect', target, forwarded: address !== undefined });
  client.on('error', () => undefined);
  if (address === undefined) {
    client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  let established = false;
  const upstream = connect(Number(port), address, () => {
    established = true;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  track(sockets, upstream);
  upstream.on('error', () => {
    if (!established) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
  });
  upstream.on('close', () => {
    if (established) client.destroy();
  });
  client.on('close', () => upstream.destroy());
}

function withoutProxyHeaders(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const {
    'proxy-connection': _connection,
    'proxy-authorization': _authorization,
    ...rest
  } = headers;
  return rest;
}
