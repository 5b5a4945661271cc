/**
 * Which `:shortcode:` emoji the built-in messages print, and which names Mattermost knows: shared
 * by the emoji test, the generator of `src/emoji.ts` and the gallery.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Parser } from '@mattermost/commonmark';
import type { EventPayload } from '../../src/context.js';
import { createRenderer } from '../../src/template/engine.js';
import { renderMessage } from '../../src/template/index.js';
import { builtInRoot } from '../../src/template/roots/index.js';
import { exampleHosts, webhookDefinitions } from '../../test/support/examples.js';
import { contextFor } from '../../test/template-helpers.js';
import { sampleFailedJobs } from '../gallery/failed-jobs.js';

interface DatasourceEmoji {
  unified: string;
  short_names: string[];
}

/**
 * Mattermost's system emoji: every short name in `emoji-datasource`, the list its apps and
 * server build their emoji from, with the character each stands for.
 */
export function mattermostEmoji(): ReadonlyMap<string, string> {
  const path = createRequire(import.meta.url).resolve('emoji-datasource/emoji.json');
  const emoji = JSON.parse(readFileSync(path, 'utf8')) as DatasourceEmoji[];
  const characters = new Map<string, string>();
  for (const { unified, short_names: names } of emoji) {
    const character = String.fromCodePoint(
      ...unified.split('-').map((hex) => Number.parseInt(hex, 16)),
    );
    for (const name of names) characters.set(name, character);
  }
  return characters;
}

/** The emoji names in a message as Mattermost's own parser reads them (code is not emoji). */
export function emojiIn(markdown: string): string[] {
  const walker = new Parser().parse(markdown).walker();
  const names: string[] = [];
  for (let step = walker.next(); step; step = walker.next()) {
    const name = (step.node as { emojiName?: string }).emojiName;
    if (step.entering && step.node.type === 'emoji' && name) names.push(name);
  }
  return names;
}

/** `status` values a built-in message treats differently: none, each known one, and an unknown one. */
export const STATUSES = ['', 'success', 'failure', 'cancelled', 'skipped', 'neutral'];

/** Every example of every event in `@octokit/webhooks-examples` (github.com and each GHES), and `schedule`. */
export function corpus(): { event: string; payload: EventPayload }[] {
  const examples = exampleHosts.flatMap((host) =>
    webhookDefinitions(host).flatMap((definition) =>
      (definition.examples as unknown as EventPayload[]).map((payload) => ({
        event: definition.name as string,
        payload,
      })),
    ),
  );
  const schedule = JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../../test/fixtures/schedule.json'), 'utf8'),
  ) as EventPayload;
  return [...examples, { event: 'schedule', payload: schedule }];
}

/**
 * The emoji names the built-in messages and thread roots (`thread-root: built-in`) print over
 * the whole corpus, with every status, and with what the failure look-ups add.
 */
export async function renderedShortcodes(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const { event, payload } of corpus()) {
    const plain = STATUSES.map((status) => contextFor(event, payload, { status }));
    const failed = contextFor(event, payload, { status: 'failure' });
    // What the failure look-ups add: the failed jobs, and with `notify-on: change` broke or fixed.
    const looks = [
      { ...failed, change: 'broke' as const, failed_jobs: sampleFailedJobs(failed.links.run) },
      { ...contextFor(event, payload, { status: 'success' }), change: 'fixed' as const },
    ];
    for (const context of [...plain, ...looks]) {
      for (const name of emojiIn(await renderMessage(undefined, context))) names.add(name);
    }
    // A root shows the event's state, not the job's: one status is enough.
    const root = await createRenderer(contextFor(event, payload), {}, 'thread-root').render(
      builtInRoot(event, payload),
      'built-in thread root',
    );
    for (const name of emojiIn(root)) names.add(name);
  }
  return names;
}

const templateFolder = resolve(import.meta.dirname, '../../src/template');

/** The `:name:` literals in the template sources, so a branch the corpus never takes is still checked. */
export function templateShortcodes(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(templateFolder, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(join(templateFolder, file), 'utf8');
    for (const match of source.matchAll(/(?<![\w:])(:[a-z0-9_+-]+:)(?![\w:])/g)) {
      names.add((match[1] ?? '').slice(1, -1));
    }
  }
  return names;
}

let printed: Promise<string[]> | undefined;

/** Every emoji name a built-in message or root can print: rendered over the corpus, and in the sources. */
export function builtInShortcodes(): Promise<string[]> {
  printed ??= renderedShortcodes().then((rendered) =>
    [...new Set([...rendered, ...templateShortcodes()])].sort(),
  );
  return printed;
}
