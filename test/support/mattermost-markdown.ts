/**
 * Judging a message the way Mattermost does: its apps' Markdown parser (`@mattermost/commonmark`,
 * the mobile app's), after the web app's lexer step, and the server's mention rule.
 */
import { type Node, Parser } from '@mattermost/commonmark';

/**
 * The web app's fork of `marked` turns U+00A0 into a space and U+2424 into a newline before it
 * parses (server-facts §6); the mobile app does not. Parsing the lexed text covers both.
 */
export function webAppLexed(message: string): string {
  return message.replace(/\u00A0/g, ' ').replace(/\u2424/g, '\n');
}

/** The message's syntax tree, as Mattermost's parser builds it after the web app's lexer step. */
export function parseMessage(message: string): Node {
  return new Parser().parse(webAppLexed(message));
}

/** Nodes that change how text looks or where it leads: what event text must never make. */
const STRUCTURE = new Set([
  'block_quote',
  'list',
  'item',
  'heading',
  'code_block',
  'html_block',
  'thematic_break',
  'table',
  'table_row',
  'table_cell',
  'emph',
  'strong',
  'del',
  'link',
  'image',
  'html_inline',
  'at_mention',
  // Mattermost's own: a channel link and a hashtag (a search) lead somewhere; inline LaTeX
  // restyles. (A LaTeX block is a `code_block` whose info is `latex`.) Emoji are left out:
  // `:tada:` draws a picture and changes nothing a reader could be misled by.
  'channel_link',
  'hashtag',
  'latex_inline',
]);

/**
 * The message's structure: each structural node in document order, with where links and images
 * lead (the origin, or the scheme) and whom a mention names. A bare URL that the parser autolinks
 * (its text is the URL) is left out: it shows where it goes, so it cannot deceive.
 */
export function structureOf(message: string): string[] {
  const walker = parseMessage(message).walker();
  const found: string[] = [];
  for (let step = walker.next(); step; step = walker.next()) {
    const { node, entering } = step;
    if (!entering || !STRUCTURE.has(node.type)) continue;
    if (node.type === 'link' && isAutolink(node)) continue;
    const where =
      node.type === 'link' || node.type === 'image' ? ` ${whereTo(node.destination ?? '')}` : '';
    const name = node.type === 'at_mention' ? ` @${node.mentionName}` : '';
    found.push(`${node.type}${where}${name}`);
  }
  return found;
}

/** Links and images that lead anywhere but the web, mail or a relative path. */
export function unsafeTargets(message: string): string[] {
  return structureOf(message)
    .filter((node) => node.startsWith('link ') || node.startsWith('image '))
    .map((node) => node.slice(node.indexOf(' ') + 1))
    .filter((target) => /^[a-z][a-z0-9+.-]*:/i.test(target) && !/^(https?|mailto):/i.test(target));
}

/**
 * `https://github.com`, `javascript:`, or the relative path itself. A protocol-relative
 * destination (`//evil.example`, and `/\\evil.example`, which browsers read alike) is off-site:
 * its origin, over https.
 */
export function whereTo(destination: string): string {
  if (/^[/\\]{2}/.test(destination)) return whereTo(`https:${destination}`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(destination)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    try {
      return new URL(destination).origin;
    } catch {
      return destination;
    }
  }
  return scheme ? `${scheme}:` : destination;
}

/** The destinations of the bare URLs the parser made links of. */
export function autolinks(message: string): string[] {
  const walker = parseMessage(message).walker();
  const found: string[] = [];
  for (let step = walker.next(); step; step = walker.next()) {
    const { node, entering } = step;
    if (entering && node.type === 'link' && isAutolink(node)) found.push(node.destination ?? '');
  }
  return found;
}

/** A link the parser made of a bare URL: its only text is the URL, as written or percent-decoded. */
function isAutolink(link: Node): boolean {
  let text = '';
  for (let child = link.firstChild; child; child = child.next) {
    if (child.type !== 'text') return false;
    text += child.literal ?? '';
  }
  const url = decoded(link.destination ?? '');
  return url === decoded(text) || url === decoded(`http://${text}`);
}

function decoded(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

/** Every structural node with the text inside it, to say which one came from where. */
export function styledTexts(message: string): Array<{ type: string; text: string }> {
  const walker = parseMessage(message).walker();
  const found: Array<{ type: string; text: string }> = [];
  for (let step = walker.next(); step; step = walker.next()) {
    const { node, entering } = step;
    if (entering && STRUCTURE.has(node.type)) found.push({ type: node.type, text: textOf(node) });
  }
  return found;
}

function textOf(node: Node): string {
  const walker = node.walker();
  let text = '';
  for (let step = walker.next(); step; step = walker.next()) {
    if (step.entering && step.node.literal) text += step.node.literal;
  }
  return text;
}

/**
 * The mentions Mattermost's server would find in a message, lower-cased: `@channel`, `@all`,
 * `@here` and `@name`. After `server/channels/app/mention_parser_standard.go`: the text is cut
 * into words on every character that is not a letter, a digit or one of `:.-_@`; a word that
 * starts with `@` (after leading `:.-_`, and with trailing `.-:_` dropped) is a mention, and a
 * word holding `.-:` is also tried piece by piece. The server tells letters with Go's Unicode
 * tables, which lag JavaScript's; the safe reading, used here, is that only ASCII letters and
 * digits join a word, so any other character may be a word break. Code is scanned too, which is
 * stricter than the server.
 */
export function serverMentions(message: string): string[] {
  const found: string[] = [];
  const words = message.split(/[^A-Za-z0-9:.\-_@]+/).filter(Boolean);
  for (const rawWord of words) {
    if (rawWord.length > 1 && rawWord.startsWith(':') && rawWord.endsWith(':')) continue;
    const word = rawWord.replace(/^[:.\-_]+/, '');
    const candidates = [word];
    for (let w = word; /[.\-:_]$/.test(w); ) {
      w = w.slice(0, -1);
      candidates.push(w);
    }
    if (!word.startsWith('@') && /[.\-:]/.test(word)) candidates.push(...word.split(/[.\-:]/));
    for (const candidate of candidates) {
      if (/^@[A-Za-z0-9]/.test(candidate))
        found.push(candidate.toLowerCase().replace(/[.\-:]$/, ''));
    }
  }
  return [...new Set(found)];
}
