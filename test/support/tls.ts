/**
 * TLS for tests: a throwaway CA and a server certificate for `mattermost.test` and 127.0.0.1,
 * made with the `openssl` CLI into a temporary folder (nothing is committed, nothing expires in
 * the repository), and a TLS front that decrypts and passes the bytes on to a plain-http server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

export const TLS_HOST_NAME = 'mattermost.test';

export interface TestCertificates {
  /** PEM file of the CA, for `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  ca: string;
  cert: string;
  key: string;
}

let generated: TestCertificates | undefined;

/** The CA and server certificate, made once per test process. */
export function testCertificates(): TestCertificates {
  generated ??= generateCertificates();
  return generated;
}

function generateCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'mm-notify-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '30',
    '-subj',
    '/CN=mattermost-notify test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    ...ecKey,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    `/CN=${TLS_HOST_NAME}`,
  );
  writeFileSync(
    file('server.ext'),
    [
      `subjectAltName=DNS:${TLS_HOST_NAME},IP:127.0.0.1`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid,issuer',
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '30',
    '-extfile',
    file('server.ext'),
  );
  return {
    caFile: file('ca.crt'),
    ca: readFileSync(file('ca.crt'), 'utf8'),
    cert: readFileSync(file('server.crt'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
  };
}

export interface TlsFront {
  /** The port the front listens on (127.0.0.1). */
  port: number;
  /** `https://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/**
 * Listens with TLS on 127.0.0.1 and pipes each connection to `upstreamPort` on 127.0.0.1, so the
 * Mattermost test server (faults and all) answers over https. A dropped upstream drops the client.
 */
export async function startTlsFront(
  upstreamPort: number,
  certificates: TestCertificates = testCertificates(),
): Promise<TlsFront> {
  const sockets = new Set<Socket | TLSSocket>();
  const track = (socket: Socket | TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer({ cert: certificates.cert, key: certificates.key }, (client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  // A client that rejects the certificate aborts the handshake: not an error of the front.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
