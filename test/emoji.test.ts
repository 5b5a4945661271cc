import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emojiModule, emojiModulePath } from '../scripts/emoji/generate.js';
import {
  builtInShortcodes,
  emojiIn,
  mattermostEmoji,
  templateShortcodes,
} from '../scripts/emoji/shortcodes.js';

describe('emoji in the built-in messages', () => {
  it('are all Mattermost system emoji (rendered over every example with every status, and in the sources)', {
    timeout: 120_000,
  }, async () => {
    const known = mattermostEmoji();
    const printed = await builtInShortcodes();
    expect(printed.length).toBeGreaterThan(30);
    const unknown = printed.filter((name) => !known.has(name));
    expect(unknown, 'not a Mattermost emoji name (see emoji-datasource short_names)').toEqual([]);
  });

  it('src/emoji.ts holds the character of each, as emoji-datasource has it', async () => {
    expect(
      readFileSync(emojiModulePath, 'utf8'),
      'src/emoji.ts is out of date: run `npm run emoji`',
    ).toBe(await emojiModule());
  });
});

describe('finding emoji names', () => {
  it('reads them as Mattermost does: not inside code, not inside a word', () => {
    expect(emojiIn(':tada: shipped `:x:` a:b: and\n```\n:bell:\n```\n:white_check_mark:')).toEqual([
      'tada',
      'white_check_mark',
    ]);
  });

  it('finds the literals in the template sources, also those no example reaches', () => {
    const names = templateShortcodes();
    // :tada: is printed only for a merged pull request, which the corpus has no example of.
    expect([...names]).toEqual(expect.arrayContaining(['white_check_mark', 'x', 'tada']));
  });

  it('knows the Mattermost names, aliases included', () => {
    const known = mattermostEmoji();
    expect(known.get('+1')).toBe('👍');
    expect(known.get('thumbsup')).toBe('👍');
    expect(known.has('no_such_emoji')).toBe(false);
  });
});
