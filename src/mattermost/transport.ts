/**
 * One HTTP exchange, by @actions/http-client wherever TLS or a proxy is involved, and by
 * `node:http` for plain http:// without a proxy. http-client requires `https`, `tls` and
 * `tunnel` (and with it `assert`) when it is loaded, ~13 ms of start-up that a cleartext URL never
 * uses, so it is loaded on the first https:// or proxied request. The plain path sends what
 * http-client would: the same headers, agent choice and socket timeout.
 */
import http, {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestOptions,
} from 'node:http';
import type { HttpClient } from '@actions/http-client';
import type { RequestHandler } from '@actions/http-client/lib/interfaces.js';
import { getProxyUrl } from '@actions/http-client/lib/proxy.js';

export type RequestBody = string | NodeJS.ReadableStream | null;

export interface Transport {
  request(
    method: string,
    url: string,
    data: RequestBody,
    headers: OutgoingHttpHeaders,
  ): Promise<{ message: IncomingMessage }>;
  dispose(): void;
}

export interface TransportSettings {
  userAgent: string;
  keepAlive: boolean;
  /** Backstop: the socket is closed after this long without activity. */
  socketTimeoutMs: number;
  /** Sees (and may change) the options of every request, as http-client's handlers do. */
  handler: RequestHandler;
}

export function createTransport(settings: TransportSettings): Transport {
  let client: Promise<HttpClient> | undefined;
  const plain = plainHttp(settings);
  return {
    async request(method, url, data, headers) {
      if (isPlainHttp(url)) return plain.request(method, url, data, headers);
      client ??= import('@actions/http-client').then(
        ({ HttpClient }) =>
          new HttpClient(settings.userAgent, [settings.handler], {
            keepAlive: settings.keepAlive,
            allowRetries: false,
            // A redirect would resend the token or the hook id elsewhere; the caller reports it.
            allowRedirects: false,
            socketTimeout: settings.socketTimeoutMs,
          }),
      );
      return (await client).request(method, url, data, headers);
    },
    dispose() {
      plain.dispose();
      // A chunk that failed to load already failed its request: nothing is left to close.
      client?.then((c) => c.dispose()).catch(() => undefined);
    },
  };
}

/** http:// that no HTTP_PROXY (minus NO_PROXY) applies to. */
function isPlainHttp(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && getProxyUrl(parsed) === undefined;
}

function plainHttp(settings: TransportSettings): Transport {
  // As http-client: its own kept-alive agent, else Node's global one.
  const agent = settings.keepAlive ? new http.Agent({ keepAlive: true }) : http.globalAgent;
  return {
    request(method, url, data, headers) {
      const parsed = new URL(url);
      const requestHeaders: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(headers))
        requestHeaders[name.toLowerCase()] = value;
      requestHeaders['user-agent'] = settings.userAgent;
      if (typeof data === 'string') requestHeaders['content-length'] = Buffer.byteLength(data);
      const options: RequestOptions = {
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : 80,
        path: parsed.pathname + parsed.search,
        method,
        headers: requestHeaders,
        agent,
      };
      settings.handler.prepareRequest(options);
      return new Promise((resolve, reject) => {
        const request = http.request(options, (message) => resolve({ message }));
        request.setTimeout(settings.socketTimeoutMs, () => {
          request.destroy(new Error(`Request timeout: ${options.path}`));
        });
        request.on('error', reject);
        if (typeof data === 'string') request.end(data);
        else if (data) data.pipe(request);
        else request.end();
      });
    },
    dispose() {
      if (agent !== http.globalAgent) agent.destroy();
    },
  };
}
