/**
 * The template filters and the default escaping. A value that a safe filter (`raw`, `markdown`,
 * `code`, `link`, `mention`) has made ready for the message is carried as `SafeText`, and the
 * default escaping (`outputEscape`) prints it as it is; everything else is escaped.
 */
import {
  escapeMarkdown,
  inlineCode,
  keepMarkdown,
  linkMarkdown,
  markdownLink,
  markdownSource,
  neutraliseMentions,
} from './escape.js';
import { Drop, type FilterImplOptions, type Liquid, toValue } from './liquid.js';

/** Mattermost username (no `@`) for a GitHub login, or undefined when not mapped. */
export type MentionLookup = (login: string) => string | undefined;

/** The register under which a render keeps its `mentionFor`. */
export const MENTION_REGISTER = 'mattermost-notify:mentionFor';

const MATTERMOST_USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** How a safe text came to be: `raw` is vouched for by the author and is printed exactly as it is. */
type SafeOrigin = { source: string; remake: (source: string) => SafeText };

/**
 * Text that is already Markdown-safe. It remembers the value it was made from and how, so that
 * `truncate` and friends can work on the value and make it safe again: `{{ body | markdown |
 * truncate: 300 }}` is `{{ body | truncate: 300 | markdown }}`. The text is made only when it is
 * needed, so in that chain the long body itself never goes through the `markdown` passes.
 *
 * It is a liquidjs `Drop` so that comparisons, `contains` and `default` see its text
 * (`valueOf`), and property access reads the plain string (`toLiquid`), never this object.
 */
export class SafeText extends Drop {
  #text: string | (() => string);
  readonly #origin: SafeOrigin | undefined;
  /** Printed exactly as it is wherever it lands (`raw`). */
  readonly vouched: boolean;

  constructor(text: string | (() => string), origin?: SafeOrigin, vouched = false) {
    super();
    this.#text = text;
    this.#origin = origin;
    this.vouched = vouched;
  }

  /** The same kind of safe text made from `transform(source)`, or undefined when there is no source. */
  remade(transform: (source: string) => unknown): SafeText | undefined {
    if (!this.#origin) return undefined;
    const result = transform(this.#origin.source);
    return typeof result === 'string' ? this.#origin.remake(result) : undefined;
  }

  override valueOf(): string {
    if (typeof this.#text !== 'string') this.#text = this.#text();
    return this.#text;
  }

  override toString(): string {
    return this.valueOf();
  }

  toLiquid(): string {
    return this.valueOf();
  }
}

/**
 * What a `{{ value }}` hands to the engine's emitter: plain text that the emitter escapes knowing
 * where it lands (on a table row, right after an `@`), or safe text, printed as it is.
 */
export class Printed {
  constructor(
    readonly text: string,
    readonly kind: 'plain' | 'safe' | 'raw',
  ) {}

  /** Where nothing is known of the place: escaped as if anything could be around it. */
  toString(): string {
    return this.kind === 'plain' ? escapeMarkdown(this.text) : this.text;
  }
}

/** `outputEscape`: what every `{{ value }}` goes through last. */
export function printed(value: unknown): Printed {
  if (value instanceof SafeText)
    return new Printed(value.toString(), value.vouched ? 'raw' : 'safe');
  if (Array.isArray(value)) return new Printed(escapeOutput(value), 'safe');
  return new Printed(plainText(value), 'plain');
}

/** A value escaped for the message, wherever it lands. */
export function escapeOutput(value: unknown): string {
  if (value instanceof SafeText) return value.toString();
  if (Array.isArray(value)) return value.map(escapeOutput).join('');
  return escapeMarkdown(plainText(value));
}

/** Liquid's own stringification: nil is empty, arrays are concatenated. */
export function plainText(value: unknown): string {
  const plain: unknown = toValue(value);
  if (plain === null || plain === undefined) return '';
  if (typeof plain === 'string') return plain;
  if (Array.isArray(plain)) return plain.map(plainText).join('');
  return String(plain);
}

function safeKind(render: (text: string) => string, vouched = false): (source: string) => SafeText {
  const make = (source: string): SafeText =>
    new SafeText(() => render(source), { source, remake: make }, vouched);
  return make;
}

const asRaw = safeKind((text) => text, true);
const asMarkdown = safeKind(keepMarkdown);
const asCode = safeKind(inlineCode);

export function registerFilters(liquid: Liquid): void {
  const builtIn = (name: string): FilterImplOptions => {
    const filter = liquid.filters[name];
    if (!filter) throw new Error(`liquidjs has no ${name} filter`);
    return filter;
  };

  liquid.registerFilter('raw', (value: unknown) =>
    value instanceof SafeText ? value : asRaw(plainText(value)),
  );
  liquid.registerFilter('markdown', (value: unknown) =>
    value instanceof SafeText ? value : asMarkdown(markdownSource(plainText(value))),
  );
  liquid.registerFilter('code', (value: unknown) => asCode(plainText(value)));
  liquid.registerFilter('link', link);
  liquid.registerFilter('mention', function (this: FilterImpl, value: unknown) {
    return mention(value, this.context.getRegister<MentionLookup | undefined>(MENTION_REGISTER));
  });
  liquid.registerFilter('first_line', liftThroughSafeText(firstLine));
  liquid.registerFilter('short_sha', (value: unknown) => shortSha(plainText(value).trim()));

  for (const name of [
    'truncate',
    'truncatewords',
    'strip',
    'lstrip',
    'rstrip',
    'upcase',
    'downcase',
    'capitalize',
  ]) {
    liquid.registerFilter(name, liftThroughSafeText(handlerOf(builtIn(name))));
  }
  liquid.registerFilter('join', joinKeepingSafeText(handlerOf(builtIn('join'))));
  liquid.registerFilter('default', defaultKeepingSafeText(handlerOf(builtIn('default'))));
}

/** What `this` is inside a filter (liquidjs does not export the type by name). */
export type FilterImpl = ThisParameterType<
  Extract<FilterImplOptions, (...args: never[]) => unknown>
>;
export type Handler = (this: FilterImpl, value: unknown, ...args: unknown[]) => unknown;

export function handlerOf(filter: FilterImplOptions): Handler {
  return typeof filter === 'function' ? filter : filter.handler;
}

/** A text filter that, given safe text, works on its source and makes the result safe the same way. */
function liftThroughSafeText(filter: Handler): Handler {
  return function (this: FilterImpl, value: unknown, ...args: unknown[]) {
    if (!(value instanceof SafeText)) return filter.call(this, value, ...args);
    return (
      value.remade((source) => filter.call(this, source, ...args)) ??
      filter.call(this, value.toString(), ...args)
    );
  };
}

/** `join` of a list holding safe text (e.g. from `mention`) is safe: the other items are escaped. */
function joinKeepingSafeText(join: Handler): Handler {
  return function (this: FilterImpl, value: unknown, separator: unknown = ' ') {
    const items: unknown = toValue(value);
    if (!Array.isArray(items) || !items.some((item) => item instanceof SafeText)) {
      return join.call(this, value, separator);
    }
    return new SafeText(items.map(escapeOutput).join(neutraliseMentions(plainText(separator))));
  };
}

function defaultKeepingSafeText(fallback: Handler): Handler {
  return function (this: FilterImpl, value: unknown, ...args: unknown[]) {
    if (value instanceof SafeText && value.toString() !== '') return value;
    return fallback.call(this, value, ...args);
  };
}

/** `{{ title | link: url }}` → `[title](url)`, only for http(s) URLs. */
function link(label: unknown, url: unknown): SafeText {
  const href = plainText(url);
  if (label instanceof SafeText) return new SafeText(linkMarkdown(label.toString(), href));
  return safeKind((text) => markdownLink(text, href))(plainText(label));
}

/** A GitHub login (or a list of them, or objects with `login`) as a Mattermost mention when mapped. */
function mention(value: unknown, mentionFor: MentionLookup | undefined): SafeText | SafeText[] {
  const plain: unknown = toValue(value);
  if (Array.isArray(plain)) return plain.map((item) => mentionOne(item, mentionFor));
  return mentionOne(plain, mentionFor);
}

function mentionOne(value: unknown, mentionFor: MentionLookup | undefined): SafeText {
  const login = loginOf(value).trim().replace(/^@+/, '');
  if (!login) return new SafeText('');
  const username = mentionFor?.(login)?.trim().replace(/^@+/, '');
  if (username && MATTERMOST_USERNAME.test(username)) return new SafeText(`@${username}`);
  return new SafeText(escapeMarkdown(login));
}

function loginOf(value: unknown): string {
  if (value !== null && typeof value === 'object' && !(value instanceof SafeText)) {
    const login: unknown = (value as Record<string, unknown>).login;
    return typeof login === 'string' ? login : '';
  }
  return plainText(value);
}

/** The first line that is not blank, trimmed: a commit's subject, a body's opening. */
function firstLine(value: unknown): string {
  for (const line of plainText(value).split(/\r\n|\r|\n/)) {
    if (line.trim() !== '') return line.trim();
  }
  return '';
}

/** A commit id cut to 7 characters; anything else (a branch or tag name) as it is. */
function shortSha(value: string): string {
  return /^[0-9a-f]{8,64}$/i.test(value) ? value.slice(0, 7) : value;
}
