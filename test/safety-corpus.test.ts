/**
 * Every built-in message (and built-in thread root) over every `@octokit/webhooks-examples`
 * payload, with hostile text in every string field of the payload, judged by Mattermost's parser and the server's mention rule:
 * the message must have exactly the structure (links, emphasis, lists...) and the mentions it has
 * with harmless text in the same fields. Whatever event text holds, it adds neither.
 */
import { describe, expect, it } from 'vitest';
import { type EventPayload, isRecord } from '../src/context.js';
import { renderMessage } from '../src/template/index.js';
import { builtInRoot } from '../src/template/roots/index.js';
import { exampleHosts, webhookDefinitions } from './support/examples.js';
import { serverMentions, structureOf, unsafeTargets } from './support/mattermost-markdown.js';
import { contextFor } from './template-helpers.js';

/**
 * One of each class of hole: mentions, Slack markup, links, emphasis, blocks, lexer characters,
 * Mattermost's channel links, hashtags, e-mail links and inline LaTeX; it ends with a `[label]`,
 * followed by whatever the message writes after the field.
 */
const HOSTILE = [
  ' \u1C8A@channel @here x-@all _@all \uA7CB@bob <!channel> <!here|here> <https://evil.example|click>',
  ' [x](javascript:alert(1)) [r](&#106;avascript:1) ![i](data:image/png;base64,AA) [click](https://evil.example)',
  ' **bold** __b__ _it_ *it* ~~gone~~ `code` https://x.example/**URGENT**/_i_/ now {{ 7*7 }} {% raw %}',
  ' a | b | c \\| d',
  '\n#\u00a0Heading\u2424> quote\n- item\n1) ordered\n2. ordered\n| a | b |\n|---|---|\n| c | d |',
  '\n```js\nfenced\n[r]: javascript:alert(1)\n---\n===\n\n    indented\n\tcode\n~~~\n<b>html</b> \u202Eevil\u202C',
  ' ~town-square #security-alert foo@bar.com $\\huge{x}$ cost $5 \\$\\huge{y}$ :tada:',
  '\n=\n-\n1234567890. big\n<pre>\n<?php\n[download]: https://evil.example/d\n\n[WIP]',
].join('');
const HARMLESS = ' plain words';

/** Appended to every URL in the payload, the same in both runs: links may carry it, text may not. */
const URL_TAIL = '/**u**/_i_/@channel/(x)';

/** Fields the messages choose their wording by: kept, so every branch the corpus has is reached. */
const CHOICE_FIELDS = new Set([
  'action',
  'state',
  'conclusion',
  'status',
  'state_reason',
  'ref_type',
]);

function withText(value: unknown, text: string, key = ''): unknown {
  if (typeof value === 'string') {
    if (CHOICE_FIELDS.has(key)) return value;
    return /^https?:\/\//.test(value) ? `${value}${URL_TAIL}` : `${value}${text}`;
  }
  if (Array.isArray(value)) return value.map((item) => withText(item, text, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, item]) => [k, withText(item, text, k)]),
    );
  }
  return value;
}

/** Every example of every event, from github.com and each GHES version, each payload once. */
const corpus = (() => {
  const seen = new Set<string>();
  const byEvent = new Map<string, EventPayload[]>();
  for (const host of exampleHosts) {
    for (const definition of webhookDefinitions(host)) {
      for (const payload of definition.examples as unknown as EventPayload[]) {
        const key = JSON.stringify(payload);
        if (seen.has(key)) continue;
        seen.add(key);
        const list = byEvent.get(definition.name) ?? [];
        list.push(payload);
        byEvent.set(definition.name, list);
      }
    }
  }
  return [...byEvent].map(([event, payloads]) => ({ event, payloads }));
})();

describe('hostile text in every string field of every example payload', () => {
  it('covers the corpus', () => {
    expect(corpus.reduce((n, c) => n + c.payloads.length, 0)).toBeGreaterThan(400);
  });

  it.each(corpus)('$event adds no structure and no mention', async ({ event: name, payloads }) => {
    const status = 'failure';
    for (const [index, payload] of payloads.entries()) {
      // With a status the message is the one without, plus a status line (with the repository).
      const render = (text: string, notes = text, template?: (e: EventPayload) => string) => {
        const event = withText(payload, text) as EventPayload;
        if (isRecord(event.release)) event.release.body = `notes${notes}`;
        return renderMessage(template?.(event), contextFor(name, event, { status }));
      };
      const hostile = await render(HOSTILE);
      const harmless = await render(HARMLESS);
      const where = `${name} ${String(payload.action ?? '')}:\n${hostile}`;
      expect(serverMentions(hostile), where).toEqual(serverMentions(harmless));
      if (name === 'release') {
        // Release notes keep their own Markdown (the `markdown` filter): the rest of the
        // message is compared without them, and only where their links lead is checked.
        expect(unsafeTargets(hostile), where).toEqual([]);
        expect(structureOf(await render(HOSTILE, HARMLESS)), where).toEqual(structureOf(harmless));
      } else {
        expect(structureOf(hostile), where).toEqual(structureOf(harmless));
      }
      expect(hostile, where).not.toMatch(/[\u202A-\u202E\u2066-\u2069]|<!(channel|here|all)/);

      // The built-in thread root (`thread-root: built-in`): every payload of the events that
      // have one of their own, the first of the others (they share the generic root).
      if (builtInRoot(name, payload) === builtInRoot('', {}) && index > 0) continue;
      const root = (e: EventPayload) => builtInRoot(name, e);
      const hostileRoot = await render(HOSTILE, HOSTILE, root);
      const harmlessRoot = await render(HARMLESS, HARMLESS, root);
      expect(serverMentions(hostileRoot), hostileRoot).toEqual(serverMentions(harmlessRoot));
      expect(structureOf(hostileRoot), hostileRoot).toEqual(structureOf(harmlessRoot));
    }
  });
});
