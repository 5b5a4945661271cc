import { describe, expect, it } from 'vitest';
import { runeLength, splitMessage } from '../src/split.js';

describe('runeLength', () => {
  it('counts code points, as Mattermost does', () => {
    expect(runeLength('')).toBe(0);
    expect(runeLength('abc')).toBe(3);
    expect(runeLength('😀')).toBe(1);
    expect(runeLength('🇫🇷')).toBe(2);
    expect(runeLength('👨‍👩‍👧')).toBe(5);
    expect(runeLength('e\u0301')).toBe(2);
    expect(runeLength('\r\n')).toBe(2);
    expect(runeLength('a\ud800b')).toBe(3);
  });
});

describe('splitMessage: sizes', () => {
  it('returns text under the limit as one part, unchanged', () => {
    const text = '\n\n  Hello *world*  \n\n';
    expect(runeLength(text)).toBe(21);
    expect(splitMessage(text, 21)).toEqual([text]);
    expect(splitMessage('', 20)).toEqual(['']);
  });

  it('keeps text of exactly the limit in one part, counting an emoji as one', () => {
    const text = `${'a'.repeat(19)}😀`;
    expect(text.length).toBe(21);
    expect(splitMessage(text, 20)).toEqual([text]);
    expect(splitMessage(`${text}b`, 20)).toEqual([text, 'b']);
  });

  it('rejects a limit no server has', () => {
    expect(() => splitMessage('text', 19)).toThrow(RangeError);
    expect(() => splitMessage('text', 20.5)).toThrow(RangeError);
    expect(() => splitMessage('text', Number.NaN)).toThrow(RangeError);
  });

  it('splits a megabyte of prose under a real server limit', () => {
    const text = 'Lorem ipsum dolor sit amet, consectetur.\nSed do eiusmod.\n\n'.repeat(18_000);
    const parts = splitMessage(text, 16_383);
    expect(parts.length).toBeGreaterThan(60);
    for (const part of parts) expect(runeLength(part)).toBeLessThanOrEqual(16_383);
    expect(parts.join('\n\n')).toBe(text);
  });
});

describe('splitMessage: where it cuts', () => {
  it('prefers a blank line to a later line break or space', () => {
    const text = 'alpha beta gamma delta\n\nepsilon zeta\neta theta iota kappa';
    expect(splitMessage(text, 40)).toEqual([
      'alpha beta gamma delta',
      'epsilon zeta\neta theta iota kappa',
    ]);
  });

  it('prefers a line break to a later space', () => {
    const text = 'alpha beta gamma delta\nepsilon zeta eta theta iota';
    expect(splitMessage(text, 40)).toEqual([
      'alpha beta gamma delta',
      'epsilon zeta eta theta iota',
    ]);
  });

  it('cuts at the last space that fits when a line is too long', () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta iota';
    expect(splitMessage(text, 40)).toEqual([
      'alpha beta gamma delta epsilon zeta eta',
      'theta iota',
    ]);
  });

  it('takes a later line break over a blank line that would leave the part under half full', () => {
    const text = 'Hi.\n\nalpha beta gamma delta epsilon\nzeta eta theta iota kappa';
    expect(splitMessage(text, 40)).toEqual([
      'Hi.\n\nalpha beta gamma delta epsilon',
      'zeta eta theta iota kappa',
    ]);
  });

  it('takes any line break over a space', () => {
    const text = 'Hi.\nalpha beta gamma delta epsilon zeta eta theta';
    expect(splitMessage(text, 40)).toEqual([
      'Hi.',
      'alpha beta gamma delta epsilon zeta eta',
      'theta',
    ]);
  });

  it('does not start a part with block markup that a word cut would create', () => {
    const text = 'Deploy log: step ok, step ok, step ok, result # 1 > see - done';
    for (const limit of [24, 37, 50]) {
      for (const part of splitMessage(text, limit).slice(1)) {
        expect(part).not.toMatch(/^(?:#{1,6} |[-*+>] |\d+[.)] )/);
      }
    }
  });

  it('hard-cuts a word longer than a part', () => {
    expect(splitMessage('x'.repeat(50), 20)).toEqual([
      'x'.repeat(20),
      'x'.repeat(20),
      'x'.repeat(10),
    ]);
    const text = `short ${'y'.repeat(45)} tail`;
    expect(splitMessage(text, 20)).toEqual(['short', 'y'.repeat(20), 'y'.repeat(20), 'yyyyy tail']);
  });

  it('never splits a surrogate pair, an emoji with ZWJ or a flag', () => {
    expect(splitMessage(`${'a'.repeat(20)}😀😀😀`, 20)).toEqual(['a'.repeat(20), '😀😀😀']);
    expect(splitMessage(`${'a'.repeat(18)}👨‍👩‍👧b`, 20)).toEqual(['a'.repeat(18), '👨‍👩‍👧b']);
    expect(splitMessage(`${'a'.repeat(19)}🇫🇷b`, 20)).toEqual(['a'.repeat(19), '🇫🇷b']);
    const flags = splitMessage('🇫🇷'.repeat(30), 21);
    expect(flags).toEqual(['🇫🇷'.repeat(10), '🇫🇷'.repeat(10), '🇫🇷'.repeat(10)]);
  });
});

describe('splitMessage: whitespace at a cut', () => {
  it('drops the line break and blank lines, and keeps the next line’s indentation', () => {
    const list = '- item one is here\n  - nested item two\n  - nested item three';
    expect(splitMessage(list, 40)).toEqual([
      '- item one is here\n  - nested item two',
      '  - nested item three',
    ]);
    expect(splitMessage('para one words\n\n \n\npara two', 20)).toEqual([
      'para one words',
      'para two',
    ]);
  });

  it('drops the spaces and tabs between two words', () => {
    expect(splitMessage('alpha beta gamma \t  delta epsilon', 20)).toEqual([
      'alpha beta gamma',
      'delta epsilon',
    ]);
  });

  it('drops trailing whitespace only when it is what does not fit', () => {
    const text = `${'x'.repeat(15)} yy${'\n'.repeat(10)}`;
    expect(splitMessage(text, 20)).toEqual([`${'x'.repeat(15)} yy`]);
    expect(splitMessage(' \n'.repeat(30), 20)).toEqual([]);
  });

  it('keeps CRLF line breaks and uses them for the fence lines it adds', () => {
    const text =
      'First line here\r\nSecond line here\r\n\r\n```ts\r\nconst a = 1;\r\nconst b = 2;\r\n```\r\n';
    expect(splitMessage(text, 30)).toEqual([
      'First line here',
      'Second line here',
      '```ts\r\nconst a = 1;\r\n```',
      '```ts\r\nconst b = 2;\r\n```\r\n',
    ]);
  });
});

describe('splitMessage: code fences', () => {
  it('closes a fence at the cut and reopens it with its info string', () => {
    const text = 'Intro line.\n\n```ts\nconst a = 1;\nconst b = 2;\nconst c = 3;\n```\nAfter.';
    expect(splitMessage(text, 40)).toEqual([
      'Intro line.\n\n```ts\nconst a = 1;\n```',
      '```ts\nconst b = 2;\nconst c = 3;\n```',
      'After.',
    ]);
  });

  it('counts the added fence lines toward the limit', () => {
    const text = '~~~~ sh\necho one\necho two\necho three\n~~~~\ndone';
    const parts = splitMessage(text, 30);
    expect(parts).toEqual(['~~~~ sh\necho one\necho two\n~~~~', '~~~~ sh\necho three\n~~~~\ndone']);
    expect(runeLength(parts[0] ?? '')).toBe(30);
  });

  it('does not take shorter backtick runs inside a ```` fence for its end', () => {
    const text = '````md\n```ts\nlet x = 1;\n```\nmore text\n````\nend';
    expect(splitMessage(text, 30)).toEqual([
      '````md\n```ts\nlet x = 1;\n````',
      '````md\n```\nmore text\n````\nend',
    ]);
  });

  it('cuts before a code block rather than at a blank line inside it', () => {
    const code = '```ts\nlet a = 1;\n\nlet b = 2;\nlet c = 3;\n```';
    const text = `Some words here to fill the part up.\n\n${code}`;
    expect(splitMessage(text, 60)).toEqual(['Some words here to fill the part up.', code]);
  });

  it('never cuts right after an opening line or right before a closing line', () => {
    expect(splitMessage('```ts\nconst value = computeSomething(1, 2);\n```', 30)).toEqual([
      '```ts\nconst value =\n```',
      '```ts\ncomputeSomething(1,\n```',
      '```ts\n2);\n```',
    ]);
    const longCloser = '```\nabc\ndefghijklmnopq\n```````````\nzz';
    expect(splitMessage(longCloser, 30)).toEqual([
      '```\nabc\n```',
      '```\ndefghijklmnopq\n```````````',
      'zz',
    ]);
  });

  it('leaves a fence the text never closes open only in the last part', () => {
    const text = '```sh\necho 1\necho 2\necho 3\necho 4\necho 5';
    expect(splitMessage(text, 30)).toEqual([
      '```sh\necho 1\necho 2\necho 3\n```',
      '```sh\necho 4\necho 5',
    ]);
  });

  it('closes and reopens a fence in a numbered list item, with its indentation', () => {
    const steps = Array.from({ length: 30 }, (_, index) => `    npm run step-${index}`);
    const text = `Steps:\n\n1. Install:\n\n    \`\`\`sh\n${steps.join('\n')}\n    \`\`\`\n\n2. Done.`;
    const parts = splitMessage(text, 400);
    expect(parts).toEqual([
      `Steps:\n\n1. Install:\n\n    \`\`\`sh\n${steps.slice(0, 18).join('\n')}\n    \`\`\``,
      `    \`\`\`sh\n${steps.slice(18).join('\n')}\n    \`\`\`\n\n2. Done.`,
    ]);
    expectBalancedParts(text, parts, 400);
  });

  it('closes and reopens a fence in a blockquote, with its markers', () => {
    const steps = Array.from({ length: 30 }, (_, index) => `>     npm run step-${index}`);
    const quotedList = `> Steps:\n> \n> 1. Install:\n> \n>     \`\`\`sh\n${steps.join('\n')}\n>     \`\`\`\n> \n> 2. Done.`;
    const listParts = splitMessage(quotedList, 300);
    expect(listParts).toEqual([
      `> Steps:\n> \n> 1. Install:\n> \n>     \`\`\`sh\n${steps.slice(0, 11).join('\n')}\n>     \`\`\``,
      `>     \`\`\`sh\n${steps.slice(11, 23).join('\n')}\n>     \`\`\``,
      `>     \`\`\`sh\n${steps.slice(23).join('\n')}\n>     \`\`\`\n> \n> 2. Done.`,
    ]);
    expectBalancedParts(quotedList, listParts, 300);

    // Closed by a longer run, so that the helpers tell it from the closing lines the splitter adds.
    const lines = Array.from({ length: 30 }, (_, index) => `> let step${index} = ${index};`);
    const text = `> Run this:\n>\n> \`\`\`js\n${lines.join('\n')}\n> \`\`\`\`\n\nAfter.`;
    const parts = splitMessage(text, 300);
    expect(parts).toEqual([
      `> Run this:\n>\n> \`\`\`js\n${lines.slice(0, 15).join('\n')}\n> \`\`\``,
      `> \`\`\`js\n${lines.slice(15).join('\n')}\n> \`\`\`\``,
      'After.',
    ]);
    expectBalancedParts(text, parts, 300);
  });

  it('closes and reopens a fence in a nested blockquote, not at a shorter run inside it', () => {
    const lines = Array.from({ length: 30 }, (_, index) =>
      index === 3 ? '> > ```' : `> > let step${index} = ${index};`,
    );
    const text = `> > \`\`\`\`js\n${lines.join('\n')}\n> > \`\`\`\`\nAfter.`;
    const parts = splitMessage(text, 300);
    const fence = '> > ````';
    expect(parts).toEqual([
      `${fence}js\n${lines.slice(0, 14).join('\n')}\n${fence}`,
      `${fence}js\n${lines.slice(14, 27).join('\n')}\n${fence}`,
      `${fence}js\n${lines.slice(27).join('\n')}\n${fence}\nAfter.`,
    ]);
    expectBalancedParts(text, parts, 300);
  });

  it('never cuts so that a part starts with a run of backticks', () => {
    const text = 'run it with ```npm test``` from the top of the repository';
    for (const part of splitMessage(text, 20)) expect(part).not.toMatch(/^```/);
  });
});

describe('splitMessage: properties over generated Markdown', () => {
  const random = seededRandom(20_240_607);
  const cases = Array.from({ length: 500 }, (_, index) => {
    const maxRunes = 50 + Math.floor(random() * 350);
    return { index, maxRunes, text: generateMarkdown(random, maxRunes) };
  });

  it('generates texts that need splitting', () => {
    const split = cases.filter(({ text, maxRunes }) => runeLength(text) > maxRunes);
    expect(split.length).toBeGreaterThan(350);
  });

  it.each(cases)('case $index (limit $maxRunes)', ({ text, maxRunes }) => {
    const parts = splitMessage(text, maxRunes);
    expect(splitMessage(text, maxRunes)).toEqual(parts);
    if (runeLength(text) <= maxRunes) {
      expect(parts).toEqual([text]);
      return;
    }
    for (const part of parts) {
      expect(runeLength(part)).toBeLessThanOrEqual(maxRunes);
      expect(part).toMatch(/[^ \t\r\n]/);
      expect(part).not.toMatch(/\p{Cs}/u);
      expect(countRegionalIndicators(part) % 2).toBe(0);
    }
    for (const part of parts.slice(0, -1)) expect(openFenceAfter(part)).toBeUndefined();
    expect(openFenceAfter(parts.at(-1) ?? '')?.opener).toBe(openFenceAfter(text)?.opener);
    expectReassembles(text, contentsOf(parts));
  });
});

/** Every part fits, no part but the last ends in an open fence, and the contents reassemble. */
function expectBalancedParts(text: string, parts: string[], maxRunes: number): void {
  for (const part of parts) expect(runeLength(part)).toBeLessThanOrEqual(maxRunes);
  for (const part of parts.slice(0, -1)) expect(openFenceAfter(part)).toBeUndefined();
  expect(openFenceAfter(parts.at(-1) ?? '')?.opener).toBe(openFenceAfter(text)?.opener);
  expectReassembles(text, contentsOf(parts));
}

interface TestFence {
  opener: string;
  /** The quote markers and indentation before the run. */
  prefix: string;
  run: string;
  quotes: number;
  indent: number;
}

/**
 * The fence left open at the end of `text`, written independently of the module: CommonMark
 * fences, also after quote markers and list indentation. A closing line needs as many `>` and at
 * most the opener's indentation, or 3 columns (both counted after the `>` and its one space).
 */
function openFenceAfter(text: string): TestFence | undefined {
  let open: TestFence | undefined;
  for (const line of text.split(/\r?\n/)) {
    const [, prefix = '', rest = ''] = /^((?:[ \t]*>)*[ \t]*)(.*)$/s.exec(line) ?? [];
    const quotes = [...prefix].filter((char) => char === '>').length;
    const afterQuotes = prefix.slice(prefix.lastIndexOf('>') + 1).replaceAll('\t', '    ');
    const indent = quotes > 0 ? afterQuotes.replace(/^ /, '').length : afterQuotes.length;
    if (open) {
      const run = /^(`{3,}|~{3,})[ \t]*$/.exec(rest)?.[1];
      const inside = quotes === open.quotes && indent <= Math.max(open.indent, 3);
      if (run && inside && run[0] === open.run[0] && run.length >= open.run.length) {
        open = undefined;
      }
    } else {
      const match = /^(`{3,}|~{3,})(.*)$/.exec(rest);
      const run = match?.[1];
      if (run && !(run[0] === '`' && match[2]?.includes('`'))) {
        open = { opener: line, prefix, run, quotes, indent };
      }
    }
  }
  return open;
}

/**
 * The parts without the fence lines the splitter added. Generated texts close their fences with a
 * longer run than they open with, so a last line that repeats the opening prefix and run exactly
 * is added.
 */
function contentsOf(parts: string[]): string[] {
  const contents = [...parts];
  for (let index = 0; index + 1 < parts.length; index++) {
    const part = parts[index] ?? '';
    const lastBreak = part.lastIndexOf('\n');
    const newline = part[lastBreak - 1] === '\r' ? '\r\n' : '\n';
    const open = openFenceAfter(part.slice(0, lastBreak + 1 - newline.length));
    const closer = open ? open.prefix + open.run : '';
    if (lastBreak === -1 || !open || part.slice(lastBreak + 1) !== closer) continue;
    const content = contents[index] ?? '';
    contents[index] = content.slice(0, content.length - newline.length - closer.length);
    const next = contents[index + 1] ?? '';
    expect(next.startsWith(open.opener + newline)).toBe(true);
    contents[index + 1] = next.slice(open.opener.length + newline.length);
  }
  return contents;
}

/**
 * The definition of a lossless split: the text is the contents in order with only whitespace
 * between them. A content ends without whitespace (the last keeps the text's end); the next one
 * starts at a non-blank character, or at the start of a line to keep that line's indentation.
 */
function expectReassembles(text: string, contents: string[]): void {
  let position = 0;
  for (const [index, content] of contents.entries()) {
    let at = 0;
    if (index > 0) {
      const previous = contents[index - 1] ?? '';
      expect(previous).not.toMatch(/[ \t\r\n]$/);
      expect(content).not.toMatch(/^[\r\n]/);
      let gapEnd = position;
      while (' \t\r\n'.includes(text[gapEnd] ?? 'end')) gapEnd++;
      at = gapEnd;
      if (/^[ \t]/.test(content)) {
        at = Math.max(position, text.lastIndexOf('\n', gapEnd - 1) + 1);
        expect(text[at - 1]).toBe('\n');
      }
    }
    expect(text.slice(at, at + content.length)).toBe(content);
    position = at + content.length;
  }
  expect(text.slice(position)).toMatch(/^[ \t\r\n]*$/);
}

function countRegionalIndicators(text: string): number {
  return [...text].filter((char) => /\p{Regional_Indicator}/u.test(char)).length;
}

/** mulberry32: a small seeded generator, so every run checks the same texts. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS = [
  'the',
  'build',
  'failed',
  'on',
  'main',
  'after',
  'merging',
  '#42',
  '**bold**',
  '`code`',
  '[link](https://example.com/a/b)',
  'naïve',
  'e\u0301t\u00e9',
  '漢字',
  '😀',
  '🇫🇷',
  '🇩🇪🇫🇷',
  '👨‍👩‍👧',
  '👍🏽',
  '```inline```',
  '~~~',
  '@channel',
  'x_y',
  'v1.2.3',
];
const INFO_STRINGS = ['', 'ts', 'js x', 'sh'];

function generateMarkdown(random: () => number, maxRunes: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const count = (max: number) => Math.floor(random() * max);
  const newline = random() < 0.3 ? '\r\n' : '\n';
  const word = () => (random() < 0.03 ? 'w'.repeat(maxRunes + count(maxRunes)) : pick(WORDS));
  const words = (max: number) =>
    Array.from({ length: 1 + count(max) }, word).join(pick([' ', ' ', ' ', '  ', '\t']));

  // Lines start with a plain word, so that only code blocks open fences.
  const paragraph = () =>
    Array.from(
      { length: 1 + count(4) },
      () => `${pick(['', '- ', '  - ', '# '])}Then ${words(12)}`,
    );
  // A code block at the top level (indented 0-3), in a list item, or quoted.
  const codeBlock = (last: boolean) => {
    const char = pick(['`', '~']);
    const run = char.repeat(3 + count(3));
    const container = pick(['top', 'top', 'top', 'list', 'quote']);
    const prefix =
      container === 'list'
        ? pick(['   ', '    '])
        : container === 'quote'
          ? pick(['> ', '>', '> > '])
          : ' '.repeat(count(4));
    const lines = container === 'list' ? [`${1 + count(9)}. Then ${words(6)}`, ''] : [];
    lines.push(`${prefix}${run}${pick(INFO_STRINGS)}`);
    for (let line = count(9); line > 0; line--) {
      const content = pick([
        '',
        '  return x;',
        char.repeat(3),
        '~~~ x',
        `    ${words(6)}`,
        `// ${words(8)}`,
      ]);
      if (content !== run) lines.push(container === 'top' ? content : prefix + content);
    }
    // Real closing lines are one longer than the opening run, unlike the ones the splitter adds.
    const closerPrefix = container === 'top' ? '' : prefix;
    if (!(last && random() < 0.3)) lines.push(`${closerPrefix}${run}${char}${pick(['', '  '])}`);
    return lines;
  };

  const blockCount = 1 + count(12);
  const blocks = Array.from({ length: blockCount }, (_, index) =>
    random() < 0.35 ? codeBlock(index === blockCount - 1) : paragraph(),
  );
  const separator = () => pick(['\n', '\n\n', '\n\n', '\n\n\n', '\n \n']);
  return blocks
    .map((lines) => lines.join('\n'))
    .reduce((text, block) => (text === '' ? block : text + separator() + block), '')
    .replaceAll('\n', newline);
}
