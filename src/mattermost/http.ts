import type { IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import type { RequestHandler } from '@actions/http-client/lib/interfaces.js';
import { ActionError } from '../errors.js';
import { answerSuffix, readServerAnswer, statusLine } from './answer.js';
import { createTransport, type RequestBody, type Transport } from './transport.js';

/**
 * - `api`: idempotent requests, retried on any transient failure.
 * - `post`: POST /posts with a `pending_post_id`. The server recognises a repeat of that key for
 *   only 30 s after saving, so a retry that could follow a saved post goes out within 25 s of
 *   the first attempt or not at all.
 * - `webhook`: no key exists; retried only where the server cannot have received the post.
 */
export type RetryPolicy = 'api' | 'post' | 'webhook';

export interface HttpSettings {
  retries: number;
  timeoutSeconds: number;
  log: (line: string) => void;
  /** Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Default: `Math.random`. */
  random?: () => number;
  /** Default: `Date.now`. */
  now?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  policy: RetryPolicy;
}

/** What one HTTP exchange returned. Header names are lower-case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

export interface Http {
  /**
   * Sends with retries; resolves with the final response whatever its status (callers map
   * non-2xx); rejects with an ActionError on a network error or timeout after the retries, or
   * when a 429 asks for a longer wait than the action allows.
   */
  send(request: HttpRequest): Promise<HttpResponse>;
  dispose(): void;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
/** Under the 30 s for which Mattermost remembers a `pending_post_id` after saving the post. */
const POST_RETRY_WINDOW_MS = 25_000;
const DEDUPLICATE_PENDING_ID = 'api.post.deduplicate_create_post.pending';
const USER_AGENT = 'mattermost-notify';
/** Internal header that ties one attempt to its AbortSignal; removed before sending. */
const ATTEMPT_HEADER = 'x-mattermost-notify-attempt';

/** `https://chat.example.com/hooks/abc123?x=1` → `https://chat.example.com/hooks/***` */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  const path = parsed.pathname.replace(/\/hooks\/[^/]*/g, '/hooks/***');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

export function createHttp(settings: HttpSettings): Http {
  const sleep = settings.sleep ?? realSleep;
  const random = settings.random ?? Math.random;
  const now = settings.now ?? Date.now;
  const retries = Math.max(0, Math.floor(settings.retries));
  const timeoutMs = settings.timeoutSeconds * 1000;
  const signals = new Map<string, AbortSignal>();
  const pacer = createPacer(sleep, now, settings.log);
  const clients = {
    api: newClient(timeoutMs, signals, true),
    // A kept-alive socket the server has closed fails with ECONNRESET, which a webhook post
    // cannot be retried after; a fresh connection per post avoids that ambiguity.
    webhook: newClient(timeoutMs, signals, false),
  };
  let nextAttempt = 0;

  async function attempt(request: HttpRequest): Promise<AttemptOutcome> {
    nextAttempt += 1;
    const marker = String(nextAttempt);
    const controller = new AbortController();
    signals.set(marker, controller.signal);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineExceeded());
      }, timeoutMs);
    });
    const client = request.policy === 'webhook' ? clients.webhook : clients.api;
    const exchange = exchangeOnce(client, request, marker);
    exchange.catch(() => undefined); // the loser of the race below must not go unhandled
    try {
      return { response: await Promise.race([exchange, deadline]) };
    } catch (error) {
      return { failure: classifyFailure(error, request.url, settings.timeoutSeconds) };
    } finally {
      clearTimeout(timer);
      signals.delete(marker);
    }
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const attempts = retries + 1;
    const target = `${request.method} ${redactUrl(request.url)}`;
    const startedAt = now();
    let unsure: AttemptOutcome | undefined; // a previous attempt that may have saved the post
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      const paced = await pacer.take(target);
      // The pacer may have held this repeat (another request's 429) past the window.
      if (unsure && now() - startedAt > POST_RETRY_WINDOW_MS) {
        pacer.giveBack(undefined, paced);
        throw notRepeated(target, unsure);
      }
      const outcome = await attempt(request);
      pacer.giveBack(outcome.response, paced);
      const retryable = outcome.response
        ? isRetryableAnswer(request.policy, outcome.response)
        : isRetryableFailure(request.policy, outcome.failure);
      if (!retryable || attemptNumber >= attempts) {
        if (outcome.response) return outcome.response;
        throw failureError(target, request.policy, outcome.failure, attemptNumber);
      }
      const delayMs = outcome.response
        ? answerDelayMs(target, outcome.response, attemptNumber, random)
        : backoffMs(attemptNumber, random);
      const reason = describeOutcome(outcome);
      if (request.policy === 'post' && mayHaveBeenSaved(outcome)) {
        if (now() + delayMs - startedAt > POST_RETRY_WINDOW_MS) throw notRepeated(target, outcome);
        unsure = outcome;
      }
      settings.log(
        `Retrying ${target} in ${seconds(delayMs)} s (attempt ${attemptNumber + 1} of ${attempts}): ${reason}`,
      );
      await sleep(delayMs);
      // A 429's wait is the pacer's too: it need not be slept twice.
      if (outcome.response?.status === 429) pacer.waitedOut();
    }
  }

  return {
    send,
    dispose() {
      clients.api.dispose();
      clients.webhook.dispose();
    },
  };
}

function describeOutcome(outcome: AttemptOutcome): string {
  return outcome.response ? describeStatus(outcome.response) : outcome.failure.what;
}

function notRepeated(target: string, outcome: AttemptOutcome): ActionError {
  return new ActionError(
    `${target} failed: ${describeOutcome(outcome)}; the post may or may not have been saved, and Mattermost recognises a repeated post for only 30 s, so it was not retried: check the channel before running again.`,
    { ...(outcome.response ? { server: readServerAnswer(outcome.response) } : {}) },
  );
}

type AttemptOutcome =
  | { response: HttpResponse; failure?: never }
  | { response?: never; failure: NetworkFailure };

interface NetworkFailure {
  /** e.g. `chat.example.com refused the connection (ECONNREFUSED)` */
  what: string;
  /** What the user can do about it. */
  advice: string;
  /** Worth trying again at all (a bad certificate is not). */
  transient: boolean;
  /** The request cannot have reached the server, so even a webhook post can be repeated. */
  neverSent: boolean;
  cause: unknown;
}

class DeadlineExceeded extends Error {}

function newClient(
  timeoutMs: number,
  signals: Map<string, AbortSignal>,
  keepAlive: boolean,
): Transport {
  const attachSignal: RequestHandler = {
    prepareRequest(options: RequestOptions) {
      const headers = options.headers as OutgoingHttpHeaders | undefined;
      const marker = headers?.[ATTEMPT_HEADER];
      if (headers === undefined || typeof marker !== 'string') return;
      delete headers[ATTEMPT_HEADER];
      const signal = signals.get(marker);
      if (signal) options.signal = signal;
    },
    canHandleAuthentication: () => false,
    handleAuthentication: () => Promise.reject(new Error('not supported')),
  };
  // No custom agent: http-client (https:// and proxies) picks the proxy agent from HTTPS_PROXY,
  // HTTP_PROXY and NO_PROXY.
  return createTransport({
    userAgent: USER_AGENT,
    handler: attachSignal,
    keepAlive,
    // Backstop only: the per-attempt deadline (connect to last byte) is enforced by the caller.
    socketTimeoutMs: timeoutMs + 5_000,
  });
}

async function exchangeOnce(
  client: Transport,
  request: HttpRequest,
  marker: string,
): Promise<HttpResponse> {
  const headers: OutgoingHttpHeaders = { ...request.headers, [ATTEMPT_HEADER]: marker };
  let data: RequestBody = null;
  if (typeof request.body === 'string') {
    data = request.body;
  } else if (request.body !== undefined) {
    headers['content-length'] = request.body.length;
    data = Readable.from([request.body]);
  }
  const answer = await client.request(request.method, request.url, data, headers);
  const text = await readText(answer.message);
  return { status: answer.message.statusCode ?? 0, headers: flattenHeaders(answer.message), text };
}

/** Unlike http-client's readBody, fails when the connection drops mid-body. */
function readText(message: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let complete = false;
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => {
      complete = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    message.on('error', reject);
    message.on('close', () => {
      if (!complete)
        reject(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }));
    });
  });
}

function flattenHeaders(message: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function isRetryableAnswer(policy: RetryPolicy, response: HttpResponse): boolean {
  const status = response.status;
  if (policy === 'webhook') return status === 429 || status === 503;
  if ([408, 429, 502, 503, 504].includes(status)) return true;
  if (status !== 500) return false;
  const id = readServerAnswer(response).id;
  // Hardened mode blanks the id of every 5xx, the "pending" answer's too; with the same
  // pending_post_id a repeat returns the saved post rather than posting twice.
  return id === DEDUPLICATE_PENDING_ID || (policy === 'post' && id === undefined);
}

/** The request reached the server and may have been carried out before the answer was lost. */
function mayHaveBeenSaved(outcome: AttemptOutcome): boolean {
  if (!outcome.response) return !outcome.failure.neverSent;
  const status = outcome.response.status;
  return (
    status === 502 || status === 504 || (status === 500 && !readServerAnswer(outcome.response).id)
  );
}

function isRetryableFailure(policy: RetryPolicy, failure: NetworkFailure): boolean {
  return policy === 'webhook' ? failure.neverSent : failure.transient;
}

/** Full jitter: a uniform wait between 0 and the capped exponential step. */
function backoffMs(retryNumber: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retryNumber - 1));
  return Math.floor(random() * ceiling);
}

function answerDelayMs(
  target: string,
  response: HttpResponse,
  retryNumber: number,
  random: () => number,
): number {
  if (response.status !== 429) return backoffMs(retryNumber, random);
  const waitMs = rateLimitWaitMs(response.headers);
  if (waitMs === undefined) return backoffMs(retryNumber, random);
  if (waitMs > MAX_RATE_LIMIT_WAIT_MS) {
    const answer = readServerAnswer(response);
    throw new ActionError(
      `${target} was rate-limited and Mattermost asks to wait ${Math.ceil(waitMs / 1000)} s, longer than the ${MAX_RATE_LIMIT_WAIT_MS / 1000} s this action waits ${answerSuffix(answer)}: try again later or raise the server's rate limit (System Console → Rate Limiting).`,
      { server: answer },
    );
  }
  return waitMs;
}

/** `Retry-After` (seconds or an HTTP date), else one interval at the sustained rate. */
function rateLimitWaitMs(headers: Record<string, string | undefined>): number | undefined {
  return retryAfterMs(headers) ?? readRateLimit(headers)?.intervalMs;
}

function retryAfterMs(headers: Record<string, string | undefined>): number | undefined {
  const values = headerValues(headers['retry-after']);
  const waits = values.flatMap((value) => {
    if (/^\d+(\.\d+)?$/.test(value)) return [Number(value) * 1000];
    const date = Date.parse(value);
    return Number.isNaN(date) ? [] : [Math.max(0, date - Date.now())];
  });
  return waits.length > 0 ? Math.max(...waits) : undefined;
}

interface RateLimitState {
  remaining: number;
  /** The time one more request takes to become allowed at the sustained rate. */
  intervalMs: number;
  /**
   * `Limit` 1: no burst, so `Remaining` is always 0 and `Reset` (whole seconds, rounded up) only
   * says the interval is at most 1 s; at 10/s that reading is 10 times too slow.
   */
  noBurst: boolean;
}

/**
 * What the `X-RateLimit-*` headers say, from the most restrictive limiter when several answer
 * (VaryByUser adds a second set, which Node joins as `"99, 98"`). Mattermost's limiter is a GCRA:
 * `Limit` is the burst + 1, `Reset` the seconds until the bucket is full again, so the sustained
 * rate is about (Limit − Remaining) / Reset per second; waiting out `Reset` would be far too long.
 */
function readRateLimit(headers: Record<string, string | undefined>): RateLimitState | undefined {
  const limits = headerNumbers(headers['x-ratelimit-limit']);
  const remainings = headerNumbers(headers['x-ratelimit-remaining']);
  const resets = headerNumbers(headers['x-ratelimit-reset']).map(resetSeconds);
  if (remainings.length === 0) return undefined;
  let remaining = Number.POSITIVE_INFINITY;
  let intervalMs = 0;
  remainings.forEach((left, index) => {
    remaining = Math.min(remaining, left);
    const reset = resets[index] ?? resets.at(-1);
    const limit = limits[index] ?? limits.at(-1);
    if (reset === undefined) return;
    // Without a Limit, the whole Reset is the only safe reading.
    const used = limit === undefined ? 1 : Math.max(1, limit - left);
    intervalMs = Math.max(intervalMs, (reset * 1000) / used);
  });
  return { remaining, intervalMs, noBurst: limits.length > 0 && limits.every((l) => l <= 1) };
}

function headerValues(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function headerNumbers(value: string | undefined): number[] {
  return headerValues(value)
    .map(Number)
    .filter((n) => Number.isFinite(n) && n >= 0);
}

/** Mattermost sends seconds from now; some proxies send a Unix time instead. */
function resetSeconds(value: number): number {
  return value > 1_000_000_000 ? Math.max(0, value - Date.now() / 1000) : value;
}

interface Pacer {
  /**
   * Resolves when the rate-limit budget allows one more request to leave: `true` when it leaves
   * paced (the one request let through once the wait is over).
   */
  take(target: string): Promise<boolean>;
  /** Every request taken must be given back, with its answer when there is one. */
  giveBack(response: HttpResponse | undefined, paced: boolean): void;
  /** The caller has slept until the pacer's next request time already. */
  waitedOut(): void;
}

/**
 * Spends the server's rate-limit budget (`X-RateLimit-Remaining`) without overdrawing it: the
 * budget is what the last answer allowed minus the requests still in flight, and each request
 * takes one before it leaves. With none left, requests wait for an answer in flight or, with
 * none in flight, go one at a time at the sustained rate (one interval after the last answer),
 * or after `Retry-After` when a 429 asked for it.
 */
function createPacer(
  sleep: (ms: number) => Promise<void>,
  now: () => number,
  log: (line: string) => void,
): Pacer {
  let remaining: number | undefined; // undefined: the server has not said it limits us
  let nextAt = 0; // when the next request may leave once the budget is spent
  let waitedFor = 0; // the nextAt already slept until (an injected sleep does not move the clock)
  let announced = false;
  let inFlight = 0;
  let waiting: (() => void)[] = [];
  // Every caller waiting for the same nextAt shares one timer.
  let hold: { until: number; done: Promise<void> } | undefined;
  const probe = createProbe();
  const nextAnswer = () => new Promise<void>((resolve) => waiting.push(resolve));
  const holdUntil = (until: number, waitMs: number): Promise<void> => {
    if (hold?.until !== until) {
      hold = {
        until,
        done: sleep(waitMs).then(() => {
          waitedFor = until;
        }),
      };
    }
    return hold.done;
  };
  return {
    async take(target) {
      let paced = false;
      while (remaining !== undefined && remaining <= 0) {
        if (inFlight > 0) {
          await nextAnswer();
          continue;
        }
        const waitMs = nextAt - now();
        if (waitMs > 0 && waitedFor !== nextAt) {
          if (!announced) {
            announced = true;
            log(
              `Mattermost rate limit reached: pacing requests at the server's sustained rate (${seconds(waitMs)} s before ${target})`,
            );
          }
          await holdUntil(nextAt, waitMs);
          continue;
        }
        remaining = 1; // the probe
        paced = true;
      }
      if (remaining !== undefined) remaining -= 1;
      inFlight += 1;
      return paced;
    },
    giveBack(response, paced) {
      inFlight -= 1;
      if (response) {
        const state = readRateLimit(response.headers);
        const retryAfter = response.status === 429 ? retryAfterMs(response.headers) : undefined;
        if (state) {
          // Requests still in flight may not be in the server's count yet.
          remaining = (response.status === 429 ? 0 : state.remaining) - inFlight;
          // Only a paced request's answer says whether the interval it waited was enough.
          const scale = state.noBurst ? probe.next(paced ? response.status !== 429 : undefined) : 1;
          nextAt = now() + Math.max(state.intervalMs * scale, retryAfter ?? 0);
        } else if (retryAfter !== undefined) {
          remaining = 0;
          nextAt = now() + retryAfter;
        } else {
          remaining = undefined;
        }
      }
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    },
    waitedOut() {
      waitedFor = nextAt;
    },
  };
}

const PROBE_STEP = 0.6;
const PROBE_FLOOR = 1 / 64;

/**
 * Without a burst the headers cannot tell 10/s from 1/s, so the interval is tried shorter after
 * every answer that passed, and the last one that passed is kept once a 429 says it is too short:
 * at most one 429 for the whole run, and at worst 1/PROBE_STEP slower than the server allows.
 */
function createProbe(): { next(passed: boolean | undefined): number } {
  let scale = 1;
  let lastPassed = 1;
  let settled = false;
  return {
    next(passed) {
      if (settled || passed === undefined) return scale;
      if (passed) {
        lastPassed = scale;
        scale = Math.max(PROBE_FLOOR, scale * PROBE_STEP);
      } else {
        scale = lastPassed;
        settled = true;
      }
      return scale;
    },
  };
}

const TLS_TRUST_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function classifyFailure(error: unknown, url: string, timeoutSeconds: number): NetworkFailure {
  const host = hostOf(url);
  if (error instanceof DeadlineExceeded) {
    return {
      what: `no complete answer from ${host} within ${timeoutSeconds} s (timeout)`,
      advice: 'check that Mattermost is up, or raise timeout',
      transient: true,
      neverSent: false,
      cause: undefined,
    };
  }
  const code = errorCode(error);
  const failure = (
    what: string,
    advice: string,
    transient: boolean,
    neverSent: boolean,
  ): NetworkFailure => ({
    what,
    advice,
    transient,
    neverSent,
    cause: error,
  });
  if (code === 'ECONNREFUSED') {
    return failure(
      `${host} refused the connection (ECONNREFUSED)`,
      'check the URL and that Mattermost is running',
      true,
      true,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return failure(
      `the host name ${host} could not be resolved (${code})`,
      'check the URL for a typo',
      true,
      true,
    );
  }
  const proxyFailure = tunnelFailure(error, host);
  if (proxyFailure) return proxyFailure;
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return failure(
      `the connection to ${host} was dropped (${code})`,
      'check the server and any proxy in between',
      true,
      false,
    );
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'ENETUNREACH' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNABORTED'
  ) {
    return failure(
      `could not reach ${host} (${code})`,
      'check the URL and the network route to the server',
      true,
      false,
    );
  }
  if (code !== undefined && TLS_TRUST_CODES.has(code)) {
    return failure(
      `the TLS certificate of ${host} is not trusted (${code})`,
      'if the server uses a private or self-signed certificate, point NODE_EXTRA_CA_CERTS at its CA certificate file',
      false,
      true,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return failure(
      `the TLS certificate of ${host} is for another host name (${code})`,
      'use the host name the certificate names',
      false,
      true,
    );
  }
  if (code === 'EPROTO' || code?.startsWith('ERR_SSL_')) {
    return failure(
      `the TLS handshake with ${host} failed (${code})`,
      'check that the URL scheme (https/http) and port are right',
      false,
      true,
    );
  }
  return failure(
    `the request to ${host} failed (${code ?? 'network error'})`,
    'check the URL and the network',
    false,
    false,
  );
}

function failureError(
  target: string,
  policy: RetryPolicy,
  failure: NetworkFailure,
  attempts: number,
): ActionError {
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  if (policy === 'webhook' && !failure.neverSent) {
    return new ActionError(
      `${target} failed: ${failure.what}; the message may or may not have been posted, so it was not retried (a webhook post cannot be repeated safely): check the channel before running again.`,
      { cause: failure.cause },
    );
  }
  return new ActionError(`${target} failed: ${failure.what}${tries}; ${failure.advice}.`, {
    cause: failure.cause,
  });
}

/**
 * The proxy tunnel (CONNECT) failed: http-client's `tunnel` reports that as ECONNRESET, but
 * nothing reached Mattermost, so it names the proxy and any post can be repeated.
 */
function tunnelFailure(error: unknown, host: string): NetworkFailure | undefined {
  const message = error instanceof Error ? error.message : '';
  if (!message.startsWith('tunneling socket could not be established')) return undefined;
  const status = /statusCode=(\d+)/.exec(message)?.[1];
  if (status) {
    return {
      what: `the proxy refused to open a connection to ${host} (HTTP ${status})`,
      advice:
        status === '407'
          ? 'check the user and password in HTTPS_PROXY or HTTP_PROXY'
          : 'check the proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)',
      transient: status === '502' || status === '503' || status === '504',
      neverSent: true,
      cause: error,
    };
  }
  const cause = /cause=(.*)$/.exec(message)?.[1] ?? 'no answer';
  return {
    what: `the proxy on the way to ${host} could not be reached (${cause})`,
    advice: 'check HTTPS_PROXY or HTTP_PROXY and that the proxy is running',
    transient: true,
    neverSent: true,
    cause: error,
  };
}

/** The code of a Node network error; Node 20's dual-stack connect wraps them in an AggregateError. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

function describeStatus(response: HttpResponse): string {
  const id = readServerAnswer(response).id;
  return id ? `${response.status} ${id}` : statusLine(response.status);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
