import { STATUS_CODES } from 'node:http';
import { ActionError, describeServerAnswer, type ServerAnswer } from '../errors.js';
import type { HttpResponse } from './http.js';

/** `503 Service Unavailable` */
export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `${status} ${reason}` : String(status);
}

/** The body as JSON, or `undefined` when it is not JSON (429 `limit exceeded`, a proxy's HTML). */
export function parseJsonBody(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    return undefined;
  }
}

const ERROR_ID = /^[a-z0-9_.]{1,128}$/i;
const REQUEST_ID = /^[a-z0-9]{1,64}$/i;

function matching(value: string | undefined, shape: RegExp): string | undefined {
  return value !== undefined && shape.test(value) ? value : undefined;
}

/**
 * Status, AppError id and request id of an answer. The id is read only from a Mattermost AppError
 * body; hardened-mode bodies (`{"message":"Internal Server Error","status_code":500}`) have none.
 */
export function readServerAnswer(response: HttpResponse): ServerAnswer {
  const body = parseJsonBody(response);
  const record = isRecord(body) ? body : {};
  // Only values shaped like Mattermost's own reach an error line: a server or proxy that echoes
  // a secret into these fields must not get it printed.
  const id = matching(nonEmptyString(record.id), ERROR_ID);
  const requestId = matching(
    nonEmptyString(response.headers['x-request-id']) ?? nonEmptyString(record.request_id),
    REQUEST_ID,
  );
  return {
    status: response.status,
    ...(id === undefined ? {} : { id }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/** A server answer with the part an error line is built from: `(403 api.x.y, request abc)`. */
export interface DescribedAnswer extends ServerAnswer {
  suffix: string;
}

export function describeAnswer(response: HttpResponse): DescribedAnswer {
  const answer = readServerAnswer(response);
  return { ...answer, suffix: answerSuffix(answer) };
}

/**
 * `(403 api.x.y, request abc)`; without an AppError id the reason phrase stands in for it:
 * `(502 Bad Gateway)`, so a proxy's HTML page becomes one short line.
 */
export function answerSuffix(answer: ServerAnswer): string {
  if (answer.id !== undefined) return describeServerAnswer(answer);
  const request = answer.requestId ? `, request ${answer.requestId}` : '';
  return `(${statusLine(answer.status)}${request})`;
}

/** Builds the error for an answer whose message the caller has written. */
export function serverError(response: HttpResponse, message: string): ActionError {
  return new ActionError(message, { server: readServerAnswer(response) });
}

/**
 * The error for an answer no caller has a better word for. `what` names the attempt, e.g.
 * `Posting to channel abc` or `Sending to the webhook`.
 */
export function unexpectedAnswerError(response: HttpResponse, what: string): ActionError {
  const answer = describeAnswer(response);
  return serverError(response, `${what} failed: ${advice(response, answer, answer.suffix)}`);
}

function advice(response: HttpResponse, answer: ServerAnswer, said: string): string {
  const status = response.status;
  if (status >= 300 && status < 400) {
    const target = redirectOrigin(response.headers.location);
    return `the server answered with a redirect${target} ${said}: set server-url or webhook-url to the address it redirects to.`;
  }
  if (status === 401) {
    return `Mattermost rejected the token ${said}; check token and server-url.`;
  }
  if (status === 403) {
    return `the bot is not allowed to do this ${said}; check the bot's teams, channels and permissions.`;
  }
  if (status === 404 && answer.id === undefined) {
    return `nothing at this address answers like Mattermost ${said}; check the URL.`;
  }
  if (status === 413) {
    return `the request is larger than the server accepts ${said}; send a shorter message or smaller files.`;
  }
  if (status === 429) {
    return `Mattermost kept rate-limiting the requests ${said}; try again later or raise the server's rate limit (System Console → Rate Limiting).`;
  }
  if (status === 500 && answer.id === undefined) {
    return `the server had an internal error ${said}; see the Mattermost server logs.`;
  }
  if (status === 502 || status === 503 || status === 504) {
    return `Mattermost or a proxy in front of it is unavailable ${said}; try again later.`;
  }
  return `Mattermost answered ${said}; see the server logs for the request id.`;
}

/** Only the origin of a redirect target: its path may hold a webhook id. */
function redirectOrigin(location: string | undefined): string {
  if (location === undefined) return '';
  try {
    return ` to ${new URL(location).origin}`;
  } catch {
    return '';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
