import { expect } from 'vitest';
import type { ActionError } from '../../src/errors.js';

/**
 * The suffix a server error's explanation ends with, `(400 some.id, request abc)`, after checking
 * that the request id is the test server's X-Request-Id.
 */
export function answerSuffixOf(error: ActionError): string {
  const answer = error.server;
  expect(answer?.requestId).toMatch(/^[a-z0-9]{26}$/);
  return `(${answer?.status} ${answer?.id}, request ${answer?.requestId})`;
}
