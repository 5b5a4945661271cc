// Every test fails when a request it made (or an answer the test server gave) does not match
// Mattermost's published OpenAPI files, whatever the test itself asserted.
import { afterAll, afterEach, expect } from 'vitest';
import { takeOpenApiViolations } from './mattermost-server.js';

function expectNoViolations(): void {
  const found = takeOpenApiViolations().map(
    (v) => `${v.kind} ${v.request} on ${v.server}: ${v.problem}`,
  );
  expect(found, 'requests or answers that the Mattermost OpenAPI files refuse').toEqual([]);
}

afterEach(expectNoViolations);
afterAll(expectNoViolations);
