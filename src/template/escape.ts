/**
 * Making untrusted text (titles, commit messages, branch names...) safe to put in a Mattermost
 * message. Mattermost renders Markdown with a fork of `marked` (web) and `@mattermost/commonmark`
 * (mobile) and then scans the raw text for mentions (server-facts §5–6); the rules below follow
 * those parsers, so that text is escaped only where it would change the rendering, and
 * notifications, which show the raw text, stay readable. Every pass is linear in the text.
 */

/** The server splits words on anything but letters, digits and `:.-_@`: U+200B after `@` ends the word. */
const ZERO_WIDTH_SPACE = '\u200B';

/** Embedding, override and isolate controls: they reorder the text that follows, the template's too. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Before parsing, the web app's lexer turns U+00A0 into a space and U+2424 into a newline
 * (server-facts §6): text is escaped as what it becomes, so `#\u00a0x` is no heading.
 */
const LEXER_SPACE = /\u00A0/g;
const LEXER_NEWLINE = /\u2424/g;

/** What marked's GFM `escape` rule accepts after a backslash. */
const ESCAPABLE = new Set('\\`*{}[]()#+-.!_>|~');

/** Bare links marked turns into links; inside them Markdown punctuation is not interpreted. */
const BARE_URL = /\bhttps?:\/\/[^\s<>`"'[\]|\\{}]+/g;
/** Characters marked drops from the end of a bare link. */
const URL_TRAILING = new Set('?!.,:;*_~\'")');

/** Destinations the `markdown` filter keeps as links: the web, mail and relative ones. */
const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
/** Longer than any scheme a browser runs: a destination that looks like one is not kept. */
const MAX_SCHEME = 32;

/** A character just outside the value: the template's text, unknown to us, so assumed the worst. */
const EDGE = '';

/** Where in the message a value lands, when the engine knows it. */
export interface ValuePlace {
  /** The value is on a table row the template wrote: a newline in it would end the row. */
  inTableRow?: boolean;
}

/** Escapes `text` for Mattermost Markdown and neutralises mentions and Slack markup in it. */
export function escapeMarkdown(text: string, place: ValuePlace = {}): string {
  const split = normaliseText(text).split('\n');
  // On a table row a newline would end the row: the value is escaped as the one line it becomes.
  const lines = place.inTableRow ? [split.map((line) => line.trim()).join(' ')] : split;
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
 * link, link anywhere but the web and mail, hide in an HTML comment or leave a code fence open
 * over the rest of the message.
 */
export function keepMarkdown(text: string): string {
  const safe = defuseScriptLinks(
    inlineReferences(defuseSlackLinks(neutraliseMentions(markdownSource(text)))),
  );
  return closeOpenFence(defuseHtmlBlocks(safe));
}

/** Blockquote and list markers before a line's own text, and up to three spaces of indent. */
const CONTAINER_PREFIX = /^(?:[ ]{0,3}(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?)*[ ]{0,3}/;

/** `[label]: destination "title"` on a line of its own, at the top level. */
const DEFINITION =
  /^ {0,3}\[([^[\]\n]{1,999})\]:[ \t]*(<[^<>\n]*>|[^\s<]\S*)(?:[ \t]+("[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$/;

/** `[text][label]`, `[label][]`, `[label]`, and the same with `!` for images. */
const REFERENCE = /(!?)\[([^[\]\n]{0,999})\](?:\[([^[\]\n]{0,999})\])?(?!\()/g;

/**
 * A reference definition applies to the whole message, so one kept in a value would link a
 * `[label]` anywhere else, in another value too. Definitions the value makes in the plain form
 * (a line of its own, at the start of a paragraph, outside containers) become inline links where
 * the value uses them; every other `]:` that could end a definition's label is broken (`]&#58;`,
 * which reads the same), so no definition leaves the value.
 */
function inlineReferences(text: string): string {
  const definitions = new Map<string, string>();
  const lines: Array<{ line: string; code: boolean }> = [];
  let open: string | undefined;
  let paragraphStart = true;
  for (const line of text.split('\n')) {
    const inFence = open !== undefined;
    open = fenceAfter(line, open);
    if (inFence || open !== undefined) {
      lines.push({ line, code: true });
      paragraphStart = true;
      continue;
    }
    const definition = paragraphStart ? DEFINITION.exec(line) : null;
    if (definition?.[1] && definition[2]) {
      const label = labelKey(definition[1]);
      if (!definitions.has(label))
        definitions.set(label, `${definition[2]}${definition[3] ? ` ${definition[3]}` : ''}`);
      continue;
    }
    lines.push({ line: breakDefinitionEnds(line), code: false });
    paragraphStart = line.trim() === '' || /^ {0,3}#{1,6}(?:[ \t]|$)/.test(line);
  }
  const inlined = (line: string) =>
    line.replace(REFERENCE, (whole, bang: string, first: string, second = '', at: number) => {
      const target = definitions.get(labelKey(second || first));
      if (escapedAt(line, at) || target === undefined) return whole;
      return `${bang}[${first}](${target})`;
    });
  return lines
    .map(({ line, code }) => (code || definitions.size === 0 ? line : inlined(line)))
    .join('\n');
}

/** Whether the character at `at` follows an odd run of backslashes. */
function escapedAt(text: string, at: number): boolean {
  let slashes = 0;
  while (text.charAt(at - 1 - slashes) === '\\') slashes++;
  return slashes % 2 === 1;
}

/** Labels match case-insensitively, with runs of blanks as one space. */
function labelKey(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * `]:` where a definition's label could end: on a line starting (after containers) with `[`, or
 * with no unescaped `[` before it on its line (a label may start on an earlier line).
 */
function breakDefinitionEnds(line: string): string {
  if (!line.includes(']:')) return line;
  const prefix = CONTAINER_PREFIX.exec(line)?.[0] ?? '';
  const startsLabel = line.charAt(prefix.length) === '[';
  let out = '';
  let from = 0;
  let seenOpen = false;
  for (let i = 0; i < line.length; i++) {
    const char = line.charAt(i);
    if (char === '\\') {
      i++;
      continue;
    }
    if (char === '[') seenOpen = true;
    if (char !== ']' || line.charAt(i + 1) !== ':' || (seenOpen && !startsLabel)) continue;
    out += `${line.slice(from, i + 1)}&#58;`;
    from = i + 2;
    i++;
  }
  return out + line.slice(from);
}

/**
 * An HTML block would swallow the template's text after the value: up to its own closing tag
 * (`<pre>`, `<script>`, `<style>`, `<textarea>`, `<?`, `<!`), or up to a blank line (`<div>`, any
 * tag alone on its line). The `<` that starts one, outside a code fence, becomes `&lt;`, and the
 * text shows as written (Mattermost shows HTML as text anyway). `<https://...>` stays a link.
 */
function defuseHtmlBlocks(text: string): string {
  if (!text.includes('<')) return text;
  let open: string | undefined;
  return text
    .split('\n')
    .map((line) => {
      const inFence = open !== undefined;
      open = fenceAfter(line, open);
      if (inFence || open !== undefined) return line;
      const at = CONTAINER_PREFIX.exec(line)?.[0].length ?? 0;
      return /^<(?:[?!]|\/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$))/.test(line.slice(at))
        ? `${line.slice(0, at)}&lt;${line.slice(at + 1)}`
        : line;
    })
    .join('\n');
}

/** The part of a Markdown value that shows: without HTML comments (PR templates are full of them). */
export function markdownSource(text: string): string {
  return normaliseText(text)
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .trim();
}

/**
 * Inline code the value cannot break out of: a backtick fence longer than any run inside. A `|`
 * is put between two code spans, escaped: inside one it would still split a table cell.
 */
export function inlineCode(text: string): string {
  const flat = neutraliseMentions(normaliseText(text)).replace(/\n/g, ' ');
  if (flat.trim() === '') return '';
  return flat.split('|').map(codeSpan).join('\\|');
}

function codeSpan(text: string): string {
  if (text.trim() === '') return text;
  const longestRun = (text.match(/`+/g) ?? []).reduce(
    (longest, run) => Math.max(longest, run.length),
    0,
  );
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** `[text](url)` with `text` escaped, for an http(s) URL; the escaped text alone for anything else. */
export function markdownLink(text: string, url: string): string {
  return linkMarkdown(escapeMarkdown(text), url);
}

/** `[label](url)` where `label` is already safe Markdown; the label alone unless the URL is http(s). */
export function linkMarkdown(label: string, url: string): string {
  const href = safeHref(url);
  const text = joinLines(label) || (href ? escapeMarkdown(url.trim()) : '');
  return href ? `[${text}](${href})` : text;
}

/** The lines as one: each line break, with the blanks and blank lines around it, one space. */
function joinLines(text: string): string {
  if (!text.includes('\n')) return text;
  const lines = text.split('\n');
  const last = lines.length - 1;
  return lines
    .map((line, index) => {
      const start = index > 0 ? line.trimStart() : line;
      return index < last ? start.trimEnd() : start;
    })
    .filter((line, index) => line !== '' || index === 0 || index === last)
    .join(' ');
}

/** `url` when it is one http(s) URL with a host and nothing around it, else undefined. */
export function httpUrl(url: string): string | undefined {
  return /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(url) ? url : undefined;
}

/**
 * The URL percent-encoded where it could end the link early (`)`, spaces, U+2424 which the web
 * app makes a newline), open other markup or ping (`@`); undefined unless it is http(s) with a host.
 */
function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  if (!/^https?:\/\/[^\s/?#]/i.test(trimmed)) return undefined;
  return trimmed.replace(
    /[\s()<>"'`\\@|\p{Cc}\u200B-\u200F\u202A-\u202E\u2066-\u2069\u2424]/gu,
    percentEncode,
  );
}

function percentEncode(char: string): string {
  const encoded = encodeURIComponent(char);
  if (encoded !== char) return encoded;
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

function normaliseText(text: string): string {
  return text
    .replace(BIDI_CONTROLS, '')
    .replace(/\r\n?/g, '\n')
    .replace(LEXER_SPACE, ' ')
    .replace(LEXER_NEWLINE, '\n');
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
 * Links, images and reference definitions (wherever they stand: in quotes, list items) whose
 * destination has a scheme other than http(s) or mailto, once entities and backslash escapes are
 * decoded as the parser and the browser would, are printed as text; so are `<scheme:...>`
 * autolinks. `](` becomes `]\(`, `]:` becomes `]&#58;`, `<` becomes `&lt;`.
 */
function defuseScriptLinks(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const next = text[i + 1];
    if (char === ']' && (next === '(' || next === ':')) {
      if (destinationIsSafe(text, skipToDestination(text, i + 2))) continue;
      out += `${text.slice(from, i + 1)}${next === '(' ? '\\(' : '&#58;'}`;
      from = i + 2;
      i++;
    } else if (char === '<' && !autolinkIsSafe(text, i + 1)) {
      out += `${text.slice(from, i)}&lt;`;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/**
 * Where a destination starts: after blanks, a line break, the `>` markers of a quote continuing
 * on the next line, and the `<` of `<destination>`. Reading `>` in more places than a quote
 * marker can stand only makes the check stricter.
 */
function skipToDestination(text: string, from: number): number {
  let at = from;
  while (at < text.length && /[\s>]/.test(text.charAt(at))) at++;
  return text[at] === '<' ? at + 1 : at;
}

/**
 * Whether the destination starting at `from` is relative or has an allowed scheme, read as the
 * browser reads the URL the parser makes of it: entities and backslash escapes decoded, tabs and
 * line breaks dropped, leading controls and spaces ignored. The scheme is what comes before the
 * first `:` when everything before it is a letter, digit, `+`, `-` or `.`, starting with a letter.
 */
function destinationIsSafe(text: string, from: number): boolean {
  let scheme = '';
  for (let at = from; at < text.length; ) {
    const { chars, width } = decodedAt(text, at);
    if (chars === undefined) return false;
    at += width;
    for (const char of chars) {
      if (char === '\t' || char === '\n' || char === '\r') continue;
      if (scheme === '' && char <= ' ') continue;
      if (char === ':') return !/^[A-Za-z]/.test(scheme) || LINK_SCHEMES.has(scheme.toLowerCase());
      if (!/[A-Za-z0-9+.-]/.test(char)) return true;
      scheme += char;
      if (scheme.length > MAX_SCHEME) return false;
    }
  }
  return true;
}

/** An autolink is `<scheme:...>` with no entity decoding: only the scheme counts. */
function autolinkIsSafe(text: string, from: number): boolean {
  const scheme = /[A-Za-z][A-Za-z0-9+.-]{1,31}(?=:)/y;
  scheme.lastIndex = from;
  const match = scheme.exec(text);
  return !match || LINK_SCHEMES.has(match[0].toLowerCase());
}

/** Named entities that decode to a scheme character, a `:` or a dropped control. */
const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['colon', ':'],
  ['Tab', '\t'],
  ['NewLine', '\n'],
  ['plus', '+'],
  ['period', '.'],
  ['fjlig', 'fj'],
  ['amp', '&'],
]);

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/y;

/**
 * The character(s) the parser reads at `at`, and how many source characters they take. An entity
 * this table does not know is `chars: undefined`: it is not guessed at, the link is not kept.
 */
function decodedAt(text: string, at: number): { chars: string | undefined; width: number } {
  const char = text.charAt(at);
  if (char === '\\' && /[!-/:-@[-`{-~]/.test(text.charAt(at + 1))) {
    return { chars: text.charAt(at + 1), width: 2 };
  }
  if (char !== '&') return { chars: char, width: 1 };
  ENTITY.lastIndex = at;
  const entity = ENTITY.exec(text);
  if (!entity) return { chars: char, width: 1 };
  const [source, decimal, hex, name] = entity;
  const width = source.length;
  if (name !== undefined) return { chars: NAMED_ENTITIES.get(name), width };
  const code = Number.parseInt(decimal ?? hex ?? '', decimal === undefined ? 16 : 10);
  return { chars: code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD', width };
}

/** An unclosed ``` or ~~~ fence would swallow everything the template puts after the value. */
function closeOpenFence(text: string): string {
  let open: string | undefined;
  for (const line of text.split('\n')) open = fenceAfter(line, open);
  if (open === undefined) return text;
  // The closing fence must end its line: template text right after it would keep the block open.
  return `${text}${text.endsWith('\n') ? '' : '\n'}${open}\n`;
}

/** The fence open after `line`, given the one open before it (undefined: none). */
function fenceAfter(line: string, open: string | undefined): string | undefined {
  const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
  const run = fence?.[1];
  if (!run) return open;
  if (open === undefined) {
    // A backtick fence's info string cannot hold a backtick: "```js``` is..." opens nothing.
    return run[0] === '~' || !fence[2]?.includes('`') ? run : undefined;
  }
  return run[0] === open[0] && run.length >= open.length && line.trim() === run ? undefined : open;
}

function escapeLine(line: string, first: boolean, last: boolean): string {
  const { prefix, rest } = escapeLineStart(line);
  const offset = line.length - rest.length;
  const inertBrackets = inertBracketPairs(line);
  const latexDollars = pairingDollars(line, first, last);
  const urls = bareUrlSpans(line);
  let out = prefix;
  let url = 0;
  for (let i = offset; i < line.length; i++) {
    const char = line.charAt(i);
    while (urls[url] && (urls[url]?.[1] ?? 0) <= i) url++;
    const span = urls[url];
    const previous = i > 0 ? line.charAt(i - 1) : first ? EDGE : '\n';
    const next = i < line.length - 1 ? line.charAt(i + 1) : last ? EDGE : '\n';
    if (char === '$') out += latexDollars.has(i) ? (span && span[0] <= i ? '%24' : '&#36;') : char;
    else
      out +=
        span && span[0] <= i
          ? escapeUrlChar(char, previous, next)
          : escapeChar(char, previous, next, inertBrackets.has(i));
  }
  return out;
}

/**
 * Both parsers make inline LaTeX of `$...$` on one line when the opening `$` follows a character
 * that is not an ASCII letter or digit and the closing one is not followed by one; `\$` is no
 * escape in the web app's marked. The `$` signs that could pair (with each other, or with one the
 * template writes before or after the value) are the ones written as `&#36;`: `$5 or $10` stays.
 * Left to right, a `$` that could close what the last kept `$` could open is encoded; at the end
 * of the value, kept `$` signs that could open are encoded back to the last that cannot.
 */
function pairingDollars(line: string, first: boolean, last: boolean): Set<number> {
  const encoded = new Set<number>();
  if (!line.includes('$')) return encoded;
  const kept: Array<{ at: number; opens: boolean }> = [];
  // The template may have written an opening `$` before the value's first line.
  let lastOpens = first;
  for (let i = line.indexOf('$'); i !== -1; i = line.indexOf('$', i + 1)) {
    const before = i > 0 ? line.charAt(i - 1) : first ? EDGE : '\n';
    const after = i < line.length - 1 ? line.charAt(i + 1) : last ? EDGE : '\n';
    const opens = before === '\n' || !isAsciiAlnum(before);
    const closes = after === '\n' || !isAsciiAlnum(after);
    if (lastOpens && closes) {
      encoded.add(i);
      continue;
    }
    kept.push({ at: i, opens });
    lastOpens = opens;
  }
  // The template may write a closing `$` after the value's last line.
  if (last) {
    for (let top = kept.pop(); top?.opens; top = kept.pop()) encoded.add(top.at);
  }
  return encoded;
}

function isAsciiAlnum(char: string): boolean {
  return /^[A-Za-z0-9]$/.test(char);
}

/**
 * Inside a bare link Markdown is not interpreted, but the same text inside link text (`[title
 * https://x/**y**](url)`) is not autolinked: emphasis marks that could open or close there, and
 * `@`, are percent-encoded, which keeps the link working.
 */
function escapeUrlChar(char: string, previous: string, next: string): string {
  if (char === '@') return '%40';
  if (char !== '*' && char !== '_' && char !== '~') return char;
  return escapeChar(char, previous, next, false) === char ? char : percentEncode(char);
}

function escapeChar(char: string, previous: string, next: string, inertBracket: boolean): string {
  switch (char) {
    case '\\':
      // Also before `$` and `&`: `\&#36;` would be an escaped `&` to the mobile app.
      return next === EDGE || ESCAPABLE.has(next) || '$&'.includes(next) ? '\\\\' : char;
    case '`':
    case '|':
      return `\\${char}`;
    case '*':
      // A `*` with blank on both sides can neither open nor close emphasis.
      return isBlank(previous) && isBlank(next) ? char : '\\*';
    case '_':
      // marked opens `_` emphasis only after a non-word character: `snake_case` stays.
      return /[A-Za-z0-9]/.test(previous) ? char : '\\_';
    case '~': {
      const mark =
        previous === '~' || next === '~' || previous === EDGE || next === EDGE ? '\\~' : char;
      // `~town-square` links the channel; the web app finds it in the rendered text, past any backslash.
      return startsMention(previous) && (next === EDGE || /[A-Za-z0-9._-]/.test(next))
        ? `${mark}${ZERO_WIDTH_SPACE}`
        : mark;
    }
    case '#':
      // `#security-alert` is a hashtag (a search link); `#123` is not.
      return startsMention(previous) && (next === EDGE || /\p{L}/u.test(next))
        ? `#${ZERO_WIDTH_SPACE}`
        : char;
    case '[':
      return inertBracket ? char : '\\[';
    case ']':
      if (!inertBracket) return '\\]';
      // What follows the value is unknown: `[WIP]` then `: url` is a definition, then `(url)` a
      // link. The zero-width space keeps the `]` from touching it, and `[WIP]` reads the same.
      return next === EDGE ? `]${ZERO_WIDTH_SPACE}` : char;
    case '<':
      // A backslash does not stop the server's Slack rewrites (`<!channel>`, `<url|text>`); an entity does.
      return '&lt;';
    case '@':
      // Every `@`: at a word's start it is a mention, inside one an e-mail address, which links.
      return next !== ZERO_WIDTH_SPACE ? `@${ZERO_WIDTH_SPACE}` : char;
    default:
      return char;
  }
}

/** Block markers that only count at the start of a line: headings, quotes, lists, rules, setext underlines. */
function escapeLineStart(line: string): { prefix: string; rest: string } {
  const leading = /^[ \t]*/.exec(line)?.[0] ?? '';
  // Four columns of indentation can start a code block; in a paragraph they do not show anyway.
  const indent = columns(leading) >= 4 ? '' : leading;
  const body = line.slice(leading.length);
  if (/^#{1,6}(?:[ \t]|$)/.test(body) || /^>/.test(body) || /^[-+*](?:[ \t]|$)/.test(body)) {
    // A lone `#` ends the value: the template's next word would make it a hashtag.
    const guard = body === '#' ? ZERO_WIDTH_SPACE : '';
    return { prefix: `${indent}\\${body.charAt(0)}${guard}`, rest: body.slice(1) };
  }
  // CommonMark (the mobile app) and marked both take `1)` as well as `1.` for an ordered list.
  // marked takes any number of digits (`\d+\.`), CommonMark up to nine: any length is escaped.
  const ordered = /^(\d+)([.)])(?=[ \t]|$)/.exec(body);
  if (ordered?.[1])
    return {
      prefix: `${indent}${ordered[1]}\\${ordered[2]}`,
      rest: body.slice(ordered[0].length),
    };
  // CommonMark takes a single `=` or `-` as a setext underline: every run counts, however short.
  if (/^[-=][-= \t]*$/.test(body)) {
    // `\=` is not an escape in marked, so a zero-width space keeps `===` from underlining the line above.
    const marker = body.charAt(0) === '-' ? '\\-' : `${ZERO_WIDTH_SPACE}=`;
    return { prefix: `${indent}${marker}`, rest: body.slice(1) };
  }
  return { prefix: indent, rest: body };
}

/** Columns of indentation, a tab reaching the next multiple of 4. */
function columns(indent: string): number {
  let width = 0;
  for (const char of indent) width = char === '\t' ? width + 4 - (width % 4) : width + 1;
  return width;
}

/**
 * Indexes of `[` `]` pairs that cannot form a link: balanced on one line, nothing nested, and not
 * followed by `(`, `[` or `:` (so `[WIP]` and `dependabot[bot]` are left alone).
 */
function inertBracketPairs(line: string): Set<number> {
  const inert = new Set<number>();
  const linkAfter = /[([:]|\s+\[/y;
  for (let open = line.indexOf('['); open !== -1; open = line.indexOf('[', open + 1)) {
    let close = open + 1;
    while (close < line.length && line[close] !== '[' && line[close] !== ']') close++;
    if (line[close] !== ']') continue;
    linkAfter.lastIndex = close + 1;
    if (linkAfter.test(line)) continue;
    inert.add(open);
    inert.add(close);
  }
  return inert;
}

function bareUrlSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(BARE_URL)) {
    let end = match.index + match[0].length;
    while (end > match.index && URL_TRAILING.has(text.charAt(end - 1))) end--;
    if (end - match.index > 'https://'.length) spans.push([match.index, end]);
  }
  return spans;
}

function isBlank(char: string): boolean {
  return char !== EDGE && /\s/.test(char);
}

/**
 * Whether an `@` after this character can begin a mention: the server only finds mentions at the
 * start of a word (or after `.-:_`), so `jo@example.com` is safe. Unknown (the value's edge)
 * counts. Only ASCII letters and digits are taken to join a word: the server decides with Go's
 * Unicode tables, which lag JavaScript's, so a letter to Node may be a word break to it.
 */
export function startsMention(previous: string | undefined): boolean {
  return previous === undefined || previous === EDGE || !/[A-Za-z0-9]/.test(previous);
}
