import { expect } from 'vitest';
import { ActionError } from '../../src/errors.js';

/**
 * The suffix a server error's explanation ends with, `(400 some.id, request abc)`, after checking
 * that the request id is the test server's X-Request-Id.
 */
export function answerSuffixOf(error: ActionError): string {
  const answer = error.server;
  expect(answer?.requestId).toMatch(/^[a-z0-9]{26}$/);
  return `(${answer?.status} ${answer?.id}, request ${answer?.requestId})`;
}

/** The ActionError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function actionErrorOf(promise: Promise<unknown>): Promise<ActionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    return error as ActionError;
  }
  throw new Error('expected an ActionError');
}
