import { describe, expect, it } from 'vitest';
import { inlineCode, keepMarkdown, markdownLink } from '../src/template/escape.js';
import { escapeMarkdown, neutraliseMentions } from '../src/template/index.js';
import { findMentions } from './template-helpers.js';

const ZWSP = '\u200B';

describe('escapeMarkdown', () => {
  it.each([
    ['octo-org/hello-world', 'octo-org/hello-world'],
    ['v1.2.3', 'v1.2.3'],
    ['feature/x-y_z', 'feature/x-y_z'],
    ['snake_case_name', 'snake_case_name'],
    ['[WIP] Fix the build', '[WIP] Fix the build'],
    ['dependabot[bot]', `dependabot[bot]${ZWSP}`],
    ['Bump foo from 1.0 to 2.0 (#12)', 'Bump foo from 1.0 to 2.0 (#12)'],
    [':tada: done', ':tada: done'],
    ['2 * 3 = 6', '2 * 3 = 6'],
    ['#123 is fixed', '#123 is fixed'],
    ['jo@example.com', `jo@${ZWSP}example.com`],
    ['C:\\Users\\jo', 'C:\\Users\\jo'],
  ])('leaves %j readable', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it.each([
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['a*b*c', 'a\\*b\\*c'],
    ['_italic_', '\\_italic_'],
    ['__init__.py', '\\_\\_init_\\_.py'],
    ['x ~~gone~~', `x \\~\\~${ZWSP}gone\\~\\~${ZWSP}`],
    ['use `rm -rf`', 'use \\`rm -rf\\`'],
    ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['[click][1]', `\\[click\\][1]${ZWSP}`],
    ['[x]: https://evil.example', '\\[x\\]: https://evil.example'],
    ['# heading', '\\# heading'],
    ['### heading', '\\### heading'],
    ['> quote', '\\> quote'],
    ['| a | b |', '\\| a \\| b \\|'],
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['* item', '\\* item'],
    ['1. item', '1\\. item'],
    ['---', '\\---'],
    ['===', `${ZWSP}===`],
    ['title\n---', 'title\n\\---'],
    ['<b>html</b>', '&lt;b>html&lt;/b>'],
    ['\\*not bold\\*', '\\\\\\*not bold\\\\\\*'],
    ['ends with \\', 'ends with \\\\'],
  ])('escapes %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('neutralises every kind of mention with a zero-width space after the @', () => {
    expect(escapeMarkdown('@channel @all @here @someone')).toBe(
      `@${ZWSP}channel @${ZWSP}all @${ZWSP}here @${ZWSP}someone`,
    );
    expect(escapeMarkdown(`already @${ZWSP}safe`)).toBe(`already @${ZWSP}safe`);
  });

  it('defuses Slack markup, which the server rewrites even after a backslash', () => {
    expect(escapeMarkdown('<!channel> <!here>')).toBe('&lt;!channel> &lt;!here>');
    expect(escapeMarkdown('<https://evil.example|click>')).toBe(
      '&lt;https://evil.example\\|click>',
    );
    expect(escapeMarkdown('< https://evil.example|click>')).toBe(
      '&lt; https://evil.example\\|click>',
    );
    expect(escapeMarkdown('<@abcdefghijklmnopqrstuvwxyz>')).toBe(
      `&lt;@${ZWSP}abcdefghijklmnopqrstuvwxyz>`,
    );
  });

  it('keeps bare links whole, with @ and emphasis marks percent-encoded so the link still works', () => {
    expect(escapeMarkdown('see https://example.com/_a_/@b_x ok')).toBe(
      'see https://example.com/%5Fa_/%40b_x ok',
    );
    expect(escapeMarkdown('see https://example.com/x_.')).toBe('see https://example.com/x_.');
  });

  it('keeps newlines, escaping block markers on every line', () => {
    expect(escapeMarkdown('first\n# h\n> q\n- l\r\n1. n')).toBe(
      'first\n\\# h\n\\> q\n\\- l\n1\\. n',
    );
  });

  it('removes bidirectional controls, which would reorder the text after the value', () => {
    expect(escapeMarkdown('abc\u202Etxt.exe\u202C\u2066x\u2069')).toBe('abctxt.exex');
  });

  it('prints template syntax as text', () => {
    expect(escapeMarkdown('{{ 7*7 }} {% raw %}')).toBe('{{ 7\\*7 }} {% raw %}');
  });
});

describe('neutraliseMentions', () => {
  it('breaks mentions and <!channel> but changes nothing else', () => {
    expect(neutraliseMentions('**ping** @bob, mail jo@example.com, <!here> `x`')).toBe(
      `**ping** @${ZWSP}bob, mail jo@example.com, <${ZWSP}!here> \`x\``,
    );
  });

  it('percent-encodes @ inside links, where a zero-width space would break the link', () => {
    expect(neutraliseMentions('[pkg](https://npmjs.com/package/@scope/pkg)')).toBe(
      '[pkg](https://npmjs.com/package/%40scope/pkg)',
    );
  });

  it.each([
    '@channel',
    'x-@channel',
    '.@here',
    '_@all',
    'a:@channel',
    'v1.@bob',
    '(@someone)',
    `${ZWSP}@channel`,
    '@channel.',
  ])('leaves no mention the server would find in %j', (text) => {
    expect(findMentions(text)).not.toEqual([]);
    expect(findMentions(neutraliseMentions(text))).toEqual([]);
    expect(findMentions(escapeMarkdown(text))).toEqual([]);
  });
});

describe('keepMarkdown', () => {
  it('keeps the Markdown, neutralises mentions and Slack links, drops HTML comments', () => {
    expect(
      keepMarkdown('## Notes\n<!-- template hint -->\n**Bold** by @alice <https://evil|x>'),
    ).toBe(`## Notes\n\n**Bold** by @${ZWSP}alice &lt;https://evil|x>`);
  });

  it('prints links to javascript:, data: and other non-web schemes as text', () => {
    expect(
      keepMarkdown('[x](javascript:alert(1)) [ok](https://example.com) [m](mailto:jo@example.com)'),
    ).toBe('[x]\\(javascript:alert(1)) [ok](https://example.com) [m](mailto:jo@example.com)');
    expect(keepMarkdown('<javascript://%0Aalert(1)> <https://example.com>')).toBe(
      '&lt;javascript://%0Aalert(1)> <https://example.com>',
    );
    // Definitions become inline links where the value uses them; then the scheme is checked.
    expect(keepMarkdown('[x]: data:text/html,x\n[y]: https://example.com\n\n[a][x] [y]')).toBe(
      '\n[a]\\(data:text/html,x) [y](https://example.com)',
    );
  });

  it('closes a code fence left open, so it cannot swallow the rest of the message', () => {
    expect(keepMarkdown('```js\nconst a = 1')).toBe('```js\nconst a = 1\n```\n');
    expect(keepMarkdown('~~~~\nx\n~~~~')).toBe('~~~~\nx\n~~~~');
  });
});

describe('inlineCode', () => {
  it('uses a fence longer than any backtick run inside, padded where needed', () => {
    expect(inlineCode('npm test')).toBe('`npm test`');
    expect(inlineCode('a `b` c')).toBe('``a `b` c``');
    expect(inlineCode('``x``')).toBe('``` ``x`` ```');
    expect(inlineCode('one\ntwo')).toBe('`one two`');
    expect(inlineCode('   ')).toBe('');
  });

  it('still neutralises mentions: the server only skips code it recognises', () => {
    expect(findMentions(inlineCode('a`b @channel'))).toEqual([]);
  });
});

describe('markdownLink', () => {
  it('escapes the label and makes the URL safe', () => {
    expect(markdownLink('a ] b', 'https://example.com/a b(c)@d')).toBe(
      '[a \\] b](https://example.com/a%20b%28c%29%40d)',
    );
  });

  it('links only http(s) URLs', () => {
    expect(markdownLink('click', 'javascript:alert(1)')).toBe('click');
    expect(markdownLink('click', 'data:text/html,x')).toBe('click');
    expect(markdownLink('click', '')).toBe('click');
    expect(markdownLink('', 'https://example.com')).toBe(
      '[https://example.com](https://example.com)',
    );
  });
});
