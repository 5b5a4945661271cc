/** Real webhook payloads from `@octokit/webhooks-examples`, for github.com and GitHub Enterprise Server. */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { WebhookDefinition } from '@octokit/webhooks-examples';

const packageRoot = dirname(
  createRequire(import.meta.url).resolve('@octokit/webhooks-examples/package.json'),
);

/** `api.github.com`, `ghes-31`, … */
export const exampleHosts = readdirSync(packageRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const cache = new Map<string, WebhookDefinition[]>();

export function webhookDefinitions(host = 'api.github.com'): WebhookDefinition[] {
  let definitions = cache.get(host);
  if (!definitions) {
    definitions = JSON.parse(
      readFileSync(join(packageRoot, host, 'index.json'), 'utf8'),
    ) as WebhookDefinition[];
    cache.set(host, definitions);
  }
  return definitions;
}

export type ExamplePayload = Record<string, unknown>;

export function examplesOf(eventName: string, host = 'api.github.com'): ExamplePayload[] {
  const definition = webhookDefinitions(host).find((d) => d.name === eventName);
  return (definition?.examples ?? []) as unknown as ExamplePayload[];
}

/** The first example of an event (with the given `action`, when one is asked for). */
export function exampleOf(eventName: string, action?: string): ExamplePayload {
  const example = examplesOf(eventName).find((e) => action === undefined || e.action === action);
  if (!example)
    throw new Error(
      `@octokit/webhooks-examples has no ${eventName}${action ? `.${action}` : ''} example`,
    );
  return example;
}
