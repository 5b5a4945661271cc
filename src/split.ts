/**
 * Cuts a long Markdown message into posts Mattermost accepts (at most `MaxPostSize` code points
 * each), at the most natural boundary that fits, never leaving a code fence open.
 *
 * What is removed at a cut, exactly (nothing else is ever dropped or changed):
 * - at a line cut: the line break and any blank lines around it; the next part starts at the
 *   beginning of the next non-blank line, so its indentation is kept;
 * - at a word cut: the run of spaces and tabs between the two words;
 * - at a hard cut (inside one word longer than a part): nothing, except spaces it lands beside.
 * A part ends inside a code fence only with an added closing line (the opening fence's container
 * prefix and run: same quote markers and indent, same character, same length) and the next part
 * then starts with the opening line, copied as it was (prefix, run, info string). Both added lines
 * count toward the limit. A whitespace-only stretch after the last cut is dropped, not sent as a
 * part of its own.
 *
 * Fences are found inside list items and blockquotes too, without parsing those: a fence may
 * follow any mix of `>` markers and indentation, and a closing line closes it when it has as many
 * `>` markers and is indented (after the last marker and its one optional space) no deeper than
 * the opener or 3 columns, whichever is more.
 */

const LINE_FEED = 0x0a;

/** Code points in a string (what Mattermost counts). A lone surrogate counts as one. */
export function runeLength(text: string): number {
  let runes = 0;
  for (let i = 0; i < text.length; i += codePointWidth(text, i)) runes++;
  return runes;
}

/** Splits Markdown into parts of at most maxRunes code points each. One part when it fits. */
export function splitMessage(text: string, maxRunes: number): string[] {
  if (!Number.isInteger(maxRunes) || maxRunes < 20) {
    throw new RangeError(`maxRunes must be an integer of at least 20, got ${maxRunes}`);
  }
  if (runeLength(text) <= maxRunes) return [text];
  const doc = scanDoc(text, maxRunes);
  const parts: string[] = [];
  let start = 0;
  let fence: Fence | undefined;
  while (start < text.length) {
    const step = nextPart(doc, start, fence);
    if (step.part !== undefined) parts.push(step.part);
    start = step.next;
    fence = step.fence;
  }
  return parts;
}

interface Fence {
  /** The opening line as written, without its line break. */
  opener: string;
  /** The blockquote markers and indentation before the run, repeated on the closing line. */
  prefix: string;
  /** The fence characters of the opener: a closing line that repeats them closes it. */
  run: string;
  /** The `>` markers in the prefix and the columns of indentation after them. */
  depth: number;
  indent: number;
  /** The opener's own line break, used for the lines the splitter adds. */
  newline: string;
}

type LineKind = 'opener' | 'closer' | 'fence-like' | 'text';

/** Where the next cut falls: the part keeps `[start, end)`, the next part starts at `next`. */
interface Cut {
  end: number;
  /** Code points from the part's start to `end`. */
  endRunes: number;
  next: number;
  /** 3 paragraph (blank line or edge of a code block), 2 line, 1 word. */
  kind: number;
  /** The fence open at the cut, when the splitter closes and reopens it. */
  fence: Fence | undefined;
}

interface Step {
  part: string | undefined;
  next: number;
  fence: Fence | undefined;
}

/** The text with every line classified once, so that finding a cut never rescans. */
interface Doc {
  text: string;
  maxRunes: number;
  lineStarts: number[];
  kinds: LineKind[];
  /**
   * The fence still open after each line, if any and if it is carried across cuts: only a fence
   * whose two lines leave room for text is closed and reopened.
   */
  openAfter: (Fence | undefined)[];
}

/** The part that starts at `start` (inside `fence` when one is carried over) and where the next begins. */
function nextPart(doc: Doc, start: number, fence: Fence | undefined): Step {
  const { text } = doc;
  const prefix = fence ? fence.opener + fence.newline : '';
  const budget = doc.maxRunes - runeLength(prefix);
  let line = lineAt(doc, start);
  let runes = 0;
  let contentEnd = start;
  let contentRunes = 0;
  let contentLine = line;
  let lineBreaks = 0;
  // Line cuts (kinds 2-3) beat word cuts; among them one that leaves the part at least half
  // full beats a better kind earlier on, so that an early blank line does not make a tiny post.
  let lineHalfFull: Cut | undefined;
  let lineAnywhere: Cut | undefined;
  let word: Cut | undefined;
  let i = start;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (isWhitespace(code)) {
      if (code === LINE_FEED) {
        line++;
        lineBreaks++;
      }
      runes++;
      i++;
      continue;
    }
    if (contentEnd > start && i > contentEnd) {
      const cut =
        lineBreaks > 0
          ? lineCut(doc, contentEnd, contentRunes, contentLine, line, lineBreaks)
          : wordCut(doc, contentEnd, contentRunes, contentLine, i);
      if (cut && cut.endRunes + closingRunes(cut.fence) <= budget) {
        if (cut.kind === 1) word = better(word, cut);
        else {
          lineAnywhere = better(lineAnywhere, cut);
          if (cut.endRunes >= budget / 2) lineHalfFull = better(lineHalfFull, cut);
        }
      }
    }
    if (runes + 1 > budget) break;
    runes++;
    i += codePointWidth(text, i);
    contentEnd = i;
    contentRunes = runes;
    contentLine = line;
    lineBreaks = 0;
  }

  if (i >= text.length) {
    if (contentEnd === start) return { part: undefined, next: text.length, fence: undefined };
    // Whitespace at the very end is the only thing that may not fit: drop it.
    const end = runes <= budget ? text.length : contentEnd;
    return { part: prefix + text.slice(start, end), next: text.length, fence: undefined };
  }
  // A window of nothing but whitespace (say, a huge indent): skip it.
  if (contentEnd === start) return { part: undefined, next: i, fence };
  const cut = lineHalfFull ?? lineAnywhere ?? word ?? hardCut(doc, start, i, runes, line, budget);
  const close = cut.fence ? cut.fence.newline + cut.fence.prefix + cut.fence.run : '';
  return { part: prefix + text.slice(start, cut.end) + close, next: cut.next, fence: cut.fence };
}

/** A cut between content line `before` and the next non-blank line `after`, unless it would part a fence from its first or last line. */
function lineCut(
  doc: Doc,
  end: number,
  endRunes: number,
  before: number,
  after: number,
  lineBreaks: number,
): Cut | undefined {
  if (doc.kinds[before] === 'opener' || doc.kinds[after] === 'closer') return undefined;
  const paragraph =
    lineBreaks > 1 || doc.kinds[before] === 'closer' || doc.kinds[after] === 'opener';
  return {
    end,
    endRunes,
    next: doc.lineStarts[after] ?? doc.text.length,
    kind: paragraph ? 3 : 2,
    fence: doc.openAfter[before],
  };
}

/**
 * A cut between two words of `line`. Never inside a line that looks like a fence, and never so
 * that the next part starts with ``` or ~~~ (it would open or close a fence by accident) or with
 * block markup such as `# `, `- `, `> ` or `1. ` (mid-sentence text would turn into a heading,
 * a list or a quote).
 */
function wordCut(
  doc: Doc,
  end: number,
  endRunes: number,
  line: number,
  next: number,
): Cut | undefined {
  if (doc.kinds[line] !== 'text' || startsLikeFence(doc.text, next)) return undefined;
  if (BLOCK_MARKUP.test(doc.text.slice(next, next + 12))) return undefined;
  return { end, endRunes, next, kind: 1, fence: doc.openAfter[line - 1] };
}

/**
 * A cut inside one over-long word, used only when no other cut fits: as late as fits, moved back
 * to the start of a grapheme cluster (an emoji with ZWJ, a flag) and off a run of ``` or ~~~.
 */
function hardCut(
  doc: Doc,
  start: number,
  limit: number,
  limitRunes: number,
  line: number,
  budget: number,
): Cut {
  const { text } = doc;
  const fence = doc.kinds[line] === 'opener' ? doc.openAfter[line] : doc.openAfter[line - 1];
  let at = limit;
  let atRunes = limitRunes;
  while (atRunes > budget - closingRunes(fence) && previousCodePoint(text, at) > start) {
    at = previousCodePoint(text, at);
    atRunes--;
  }
  const cluster = graphemeStart(text, start, at);
  if (cluster > start) {
    atRunes -= runeLength(text.slice(cluster, at));
    at = cluster;
  }
  for (let back = at, backRunes = atRunes; back > start; ) {
    if (!startsLikeFence(text, back)) {
      at = back;
      atRunes = backRunes;
      break;
    }
    back = previousCodePoint(text, back);
    backRunes--;
  }
  let end = at;
  while (end - 1 > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  let next = at;
  let lineStart = at;
  for (; next < text.length && isWhitespace(text.charCodeAt(next)); next++) {
    // Crossing a line break makes it a line cut, which keeps the next line's indentation.
    if (text.charCodeAt(next) === LINE_FEED) lineStart = next + 1;
  }
  if (lineStart > at) next = lineStart;
  return { end, endRunes: atRunes, next, kind: 0, fence };
}

/**
 * The start of the grapheme cluster that `index` falls in (`index` itself on a boundary). Only the
 * part is segmented: its start is a boundary, and segmenting from there keeps pairs of flag
 * letters aligned without rescanning a long run of them for every part.
 */
function graphemeStart(text: string, partStart: number, index: number): number {
  const part = text.slice(partStart, index + 16);
  const cluster = graphemes()
    .segment(part)
    .containing(index - partStart);
  return cluster ? partStart + cluster.index : index;
}

function lineAt(doc: Doc, index: number): number {
  let low = 0;
  let high = doc.lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((doc.lineStarts[middle] ?? 0) <= index) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Classifies every line: CommonMark fences, also inside list items and blockquotes. */
function scanDoc(text: string, maxRunes: number): Doc {
  const doc: Doc = {
    text,
    maxRunes,
    lineStarts: [],
    kinds: [],
    openAfter: [],
  };
  let open: Fence | undefined;
  let carried: Fence | undefined;
  for (let start = 0; ; ) {
    const feed = text.indexOf('\n', start);
    const end = feed === -1 ? text.length : feed;
    const withReturn = end > start && text.charCodeAt(end - 1) === 0x0d;
    const line = text.slice(start, withReturn ? end - 1 : end);
    let kind: LineKind = FENCE_START.test(line) ? 'fence-like' : 'text';
    if (open) {
      const [, prefix = '', run] = CLOSING_FENCE.exec(line) ?? [];
      if (run?.startsWith(open.run) && closesInside(open, containerOf(prefix))) {
        kind = 'closer';
        open = undefined;
      }
    } else {
      const [, prefix = '', run, info] = OPENING_FENCE.exec(line) ?? [];
      if (run && !(run.startsWith('`') && info?.includes('`'))) {
        kind = 'opener';
        const newline = withReturn ? '\r\n' : '\n';
        open = { opener: line, prefix, run, ...containerOf(prefix), newline };
        const cost = runeLength(line) + open.newline.length + closingRunes(open);
        carried = cost <= maxRunes / 2 ? open : undefined;
      }
    }
    doc.lineStarts.push(start);
    doc.kinds.push(kind);
    doc.openAfter.push(open && carried);
    if (feed === -1) return doc;
    start = feed + 1;
  }
}

// Created on first use: building a Segmenter loads ICU data, ~10 ms of start-up most runs never need.
let segmenter: Intl.Segmenter | undefined;
function graphemes(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter;
}
// The container prefix: any mix of blockquote markers and indentation.
const FENCE_START = /^(?:[ \t]*>)*[ \t]*(?:`{3}|~{3})/;
const OPENING_FENCE = /^((?:[ \t]*>)*[ \t]*)(`{3,}|~{3,})(.*)$/s;
const CLOSING_FENCE = /^((?:[ \t]*>)*[ \t]*)(`{3,}|~{3,})[ \t]*$/;

/** The `>` markers in a container prefix and the columns of indentation after the last one. */
function containerOf(prefix: string): { depth: number; indent: number } {
  const lastMarker = prefix.lastIndexOf('>');
  const depth = prefix.split('>').length - 1;
  const indent = prefix.slice(lastMarker + 1).replaceAll('\t', '    ').length;
  // One space after `>` belongs to the marker, not to the quoted text.
  return { depth, indent: lastMarker !== -1 && indent > 0 ? indent - 1 : indent };
}

/**
 * Whether a closing line with this container closes `fence`: the same quote, and indented as a
 * closing fence may be (up to 3 columns at the top level, as in CommonMark) or, in a list item
 * where the opener sits deeper, no deeper than the opener.
 */
function closesInside(fence: Fence, container: { depth: number; indent: number }): boolean {
  return container.depth === fence.depth && container.indent <= Math.max(fence.indent, 3);
}

/** The better kind of cut; of two cuts of one kind, the one outside a code block, then the later. */
function better(best: Cut | undefined, cut: Cut): Cut {
  return !best || rank(cut) >= rank(best) ? cut : best;
}

function rank(cut: Cut): number {
  return cut.kind * 2 + (cut.fence ? 0 : 1);
}

function closingRunes(fence: Fence | undefined): number {
  return fence ? fence.newline.length + fence.prefix.length + fence.run.length : 0;
}

const BLOCK_MARKUP = /^(?:#{1,6}[ \t]|[-*+>][ \t]|\d{1,9}[.)][ \t])/;

function startsLikeFence(text: string, index: number): boolean {
  const char = text[index];
  return (char === '`' || char === '~') && text[index + 1] === char && text[index + 2] === char;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === LINE_FEED || code === 0x0d;
}

function codePointWidth(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff) return 1;
  const low = text.charCodeAt(index + 1);
  return low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
}

function previousCodePoint(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  const high = text.charCodeAt(index - 2);
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? index - 2 : index - 1;
}
