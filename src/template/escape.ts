/**
 * Making untrusted text (titles, commit messages, branch names...) safe to put in a Mattermost
 * message. Mattermost renders Markdown with a fork of `marked` and then scans the raw text for
 * mentions (server-facts §5–6); the rules below follow those two parsers, so that text is escaped
 * only where it would change the rendering, and notifications, which show the raw text, stay
 * readable.
 */

/** The server splits words on anything but letters, digits and `:.-_@`: U+200B after `@` ends the word. */
const ZERO_WIDTH_SPACE = '\u200B';

/** Embedding, override and isolate controls: they reorder the text that follows, the template's too. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** What marked's GFM `escape` rule accepts after a backslash. */
const ESCAPABLE = new Set('\\`*{}[]()#+-.!_>|~');

/** Bare links marked turns into links; inside them Markdown punctuation is not interpreted. */
const BARE_URL = /\bhttps?:\/\/[^\s<>`"'[\]|\\{}]+/g;
/** Characters marked drops from the end of a bare link. */
const URL_TRAILING = /[?!.,:;*_~'")]+$/;

/** A character just outside the value: the template's text, unknown to us, so assumed the worst. */
const EDGE = '';

/** Escapes `text` for Mattermost Markdown and neutralises mentions and Slack markup in it. */
export function escapeMarkdown(text: string): string {
  const lines = normaliseText(text).split('\n');
  return lines
    .map((line, index) => escapeLine(line, index === 0, index === lines.length - 1))
    .join('\n');
}

/**
 * Stops `@name`, `@channel`, `@all`, `@here` and Slack's `<!channel>` from notifying anyone, and
 * changes nothing else. A backslash does not stop a mention on the server; U+200B does.
 */
export function neutraliseMentions(text: string): string {
  let out = '';
  let from = 0;
  for (const [start, end] of bareUrlSpans(text)) {
    out += neutraliseOutsideUrl(text.slice(from, start), text[from - 1]);
    out += text.slice(start, end).replaceAll('@', '%40');
    from = end;
  }
  return out + neutraliseOutsideUrl(text.slice(from), text[from - 1]);
}

/**
 * Text that keeps its own Markdown (release notes, PR bodies) but cannot ping, turn into a Slack
 * link, hide in an HTML comment or leave a code fence open over the rest of the message.
 */
export function keepMarkdown(text: string): string {
  return closeOpenFence(
    defuseScriptLinks(defuseSlackLinks(neutraliseMentions(markdownSource(text)))),
  );
}

/** The part of a Markdown value that shows: without HTML comments (PR templates are full of them). */
export function markdownSource(text: string): string {
  return normaliseText(text)
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .trim();
}

/** Inline code the value cannot break out of: a backtick fence longer than any run inside. */
export function inlineCode(text: string): string {
  const flat = neutraliseMentions(normaliseText(text)).replace(/\n/g, ' ');
  if (flat.trim() === '') return '';
  const longestRun = (flat.match(/`+/g) ?? []).reduce(
    (longest, run) => Math.max(longest, run.length),
    0,
  );
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** `[text](url)` with `text` escaped, for an http(s) URL; the escaped text alone for anything else. */
export function markdownLink(text: string, url: string): string {
  return linkMarkdown(escapeMarkdown(text), url);
}

/** `[label](url)` where `label` is already safe Markdown; the label alone unless the URL is http(s). */
export function linkMarkdown(label: string, url: string): string {
  const href = safeHref(url);
  const text = label.replace(/\s*\n\s*/g, ' ') || (href ? escapeMarkdown(url.trim()) : '');
  return href ? `[${text}](${href})` : text;
}

/**
 * The URL percent-encoded where it could end the link early (`)`, spaces), open other markup or
 * ping (`@`); undefined unless it is http(s) with a host.
 */
function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  if (!/^https?:\/\/[^\s/?#]/i.test(trimmed)) return undefined;
  return trimmed.replace(
    /[\s()<>"'`\\@|\p{Cc}\u200B-\u200F\u202A-\u202E\u2066-\u2069]/gu,
    percentEncode,
  );
}

function percentEncode(char: string): string {
  const encoded = encodeURIComponent(char);
  if (encoded !== char) return encoded;
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

function normaliseText(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(/\r\n?/g, '\n');
}

function neutraliseOutsideUrl(text: string, before: string | undefined): string {
  return text
    .replace(/@(?!\u200B)/g, (at, offset: number) =>
      startsMention(offset > 0 ? text[offset - 1] : before) ? `@${ZERO_WIDTH_SPACE}` : at,
    )
    .replace(/<!/g, `<${ZERO_WIDTH_SPACE}!`);
}

/** The server rewrites `<url|text>` into a link (even with newlines inside): break the `<`. */
function defuseSlackLinks(text: string): string {
  const lastClose = text.lastIndexOf('>');
  let out = '';
  let from = 0;
  for (let open = text.indexOf('<'); open !== -1; open = text.indexOf('<', open + 1)) {
    if (!startsSlackLink(text, open, lastClose)) continue;
    out += `${text.slice(from, open)}&lt;`;
    from = open + 1;
  }
  return out + text.slice(from);
}

/** `<([^<|]+)\|([^>]+)>` from the server, checked in linear time. */
function startsSlackLink(text: string, open: number, lastClose: number): boolean {
  let bar = open + 1;
  while (bar < text.length && text[bar] !== '<' && text[bar] !== '|') bar++;
  if (text[bar] !== '|' || bar === open + 1) return false;
  return text[bar + 1] !== '>' && lastClose > bar + 1;
}

/**
 * Links whose target is a scheme other than http(s) or mailto (`javascript:`, `data:`...) are
 * printed as text: inline links, `<scheme:...>` autolinks and reference definitions.
 */
function defuseScriptLinks(text: string): string {
  const otherScheme = '(?!(?:https?|mailto):)[a-z][a-z0-9+.-]*:';
  return text
    .replace(new RegExp(String.raw`\]\((?=\s*<?\s*${otherScheme})`, 'gi'), ']\\(')
    .replace(new RegExp(`<(?=${otherScheme})`, 'gi'), '&lt;')
    .replace(new RegExp(String.raw`^( *)\[(?=[^\]\n]+\]:\s*<?${otherScheme})`, 'gim'), '$1\\[');
}

/** An unclosed ``` or ~~~ fence would swallow everything the template puts after the value. */
function closeOpenFence(text: string): string {
  let open: string | undefined;
  for (const line of text.split('\n')) {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence)
      open = undefined;
  }
  if (open === undefined) return text;
  // The closing fence must end its line: template text right after it would keep the block open.
  return `${text}${text.endsWith('\n') ? '' : '\n'}${open}\n`;
}

function escapeLine(line: string, first: boolean, last: boolean): string {
  const { prefix, rest } = escapeLineStart(line);
  const offset = line.length - rest.length;
  const inertBrackets = inertBracketPairs(line);
  const urls = bareUrlSpans(line);
  let out = prefix;
  let url = 0;
  for (let i = offset; i < line.length; i++) {
    const char = line.charAt(i);
    while (urls[url] && (urls[url]?.[1] ?? 0) <= i) url++;
    const span = urls[url];
    if (span && span[0] <= i) {
      out += char === '@' ? '%40' : char;
      continue;
    }
    const previous = i > 0 ? line.charAt(i - 1) : first ? EDGE : '\n';
    const next = i < line.length - 1 ? line.charAt(i + 1) : last ? EDGE : '\n';
    out += escapeChar(char, previous, next, inertBrackets.has(i));
  }
  return out;
}

function escapeChar(char: string, previous: string, next: string, inertBracket: boolean): string {
  switch (char) {
    case '\\':
      return next === EDGE || ESCAPABLE.has(next) ? '\\\\' : char;
    case '`':
    case '|':
      return `\\${char}`;
    case '*':
      // A `*` with blank on both sides can neither open nor close emphasis.
      return isBlank(previous) && isBlank(next) ? char : '\\*';
    case '_':
      // marked opens `_` emphasis only after a non-word character: `snake_case` stays.
      return /[A-Za-z0-9]/.test(previous) ? char : '\\_';
    case '~':
      return previous === '~' || next === '~' || previous === EDGE || next === EDGE ? '\\~' : char;
    case '[':
    case ']':
      return inertBracket ? char : `\\${char}`;
    case '<':
      // A backslash does not stop the server's Slack rewrites (`<!channel>`, `<url|text>`); an entity does.
      return '&lt;';
    case '@':
      return next !== ZERO_WIDTH_SPACE && startsMention(previous) ? `@${ZERO_WIDTH_SPACE}` : char;
    default:
      return char;
  }
}

/** Block markers that only count at the start of a line: headings, quotes, lists, rules, setext underlines. */
function escapeLineStart(line: string): { prefix: string; rest: string } {
  const indent = /^ */.exec(line)?.[0] ?? '';
  const body = line.slice(indent.length);
  if (/^#{1,6}(?:[ \t]|$)/.test(body) || /^>/.test(body) || /^[-+*](?:[ \t]|$)/.test(body)) {
    return { prefix: `${indent}\\${body.charAt(0)}`, rest: body.slice(1) };
  }
  const ordered = /^(\d{1,9})\.(?=[ \t]|$)/.exec(body);
  if (ordered?.[1])
    return { prefix: `${indent}${ordered[1]}\\.`, rest: body.slice(ordered[0].length) };
  if (/^[-=][-= \t]*$/.test(body) && (body.match(/[-=]/g)?.length ?? 0) >= 2) {
    // `\=` is not an escape in marked, so a zero-width space keeps `===` from underlining the line above.
    const marker = body.charAt(0) === '-' ? '\\-' : `${ZERO_WIDTH_SPACE}=`;
    return { prefix: `${indent}${marker}`, rest: body.slice(1) };
  }
  return { prefix: indent, rest: body };
}

/**
 * Indexes of `[` `]` pairs that cannot form a link: balanced on one line, nothing nested, and not
 * followed by `(`, `[` or `:` (so `[WIP]` and `dependabot[bot]` are left alone).
 */
function inertBracketPairs(line: string): Set<number> {
  const inert = new Set<number>();
  for (let open = line.indexOf('['); open !== -1; open = line.indexOf('[', open + 1)) {
    let close = open + 1;
    while (close < line.length && line[close] !== '[' && line[close] !== ']') close++;
    if (line[close] !== ']') continue;
    const after = line.slice(close + 1);
    if (/^[([:]/.test(after) || /^\s+\[/.test(after)) continue;
    inert.add(open);
    inert.add(close);
  }
  return inert;
}

function bareUrlSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(BARE_URL)) {
    const url = match[0].replace(URL_TRAILING, '');
    if (url.length > 'https://'.length) spans.push([match.index, match.index + url.length]);
  }
  return spans;
}

function isBlank(char: string): boolean {
  return char !== EDGE && /\s/.test(char);
}

/**
 * Whether an `@` after this character can begin a mention: the server only finds mentions at the
 * start of a word (or after `.-:_`), so `jo@example.com` is safe. Unknown (the value's edge) counts.
 */
function startsMention(previous: string | undefined): boolean {
  return previous === undefined || previous === EDGE || !/[\p{L}\p{N}]/u.test(previous);
}
