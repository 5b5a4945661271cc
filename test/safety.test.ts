/**
 * Event text against Mattermost's own renderers: every class of hole found by trying the action
 * as an attacker would, judged by the apps' Markdown parser (after the web app's lexer step) and
 * by the server's mention rule, never by eye.
 */
import { describe, expect, it } from 'vitest';
import { type EventPayload, stringAt } from '../src/context.js';
import { ActionError } from '../src/errors.js';
import { keepMarkdown } from '../src/template/escape.js';
import {
  escapeMarkdown,
  renderMessage,
  renderPayload,
  type TemplateContext,
} from '../src/template/index.js';
import { exampleOf } from './support/examples.js';
import {
  autolinks,
  serverMentions,
  structureOf,
  styledTexts,
  unsafeTargets,
} from './support/mattermost-markdown.js';
import { contextFor } from './template-helpers.js';

const issue = (fields: Record<string, unknown>, action = 'opened') => {
  const example = structuredClone(exampleOf('issues', action));
  Object.assign(example.issue as EventPayload, fields);
  return contextFor('issues', example);
};

const render = (template: string | undefined, context: TemplateContext) =>
  renderMessage(template, context);

async function failure(promise: Promise<unknown>): Promise<ActionError> {
  const error: unknown = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

describe('mentions by the server rule', () => {
  // U+1C8A, U+A7CB, U+A7CE: letters to Node (Unicode 16), word breaks to Go (Unicode 15).
  const NEW_LETTERS = ['\u1C8A', '\uA7CB', '\uA7CE', '\u00E9', '\u0436'];

  it.each(NEW_LETTERS)(
    '%j before @channel, @here, @all pings nobody, in any field',
    async (letter) => {
      const text = `${letter}@channel please review ${letter}@here ${letter}@all ${letter}@bob`;
      expect(serverMentions(text)).not.toEqual([]);
      const pr = structuredClone(exampleOf('pull_request', 'opened'));
      Object.assign(pr.pull_request as EventPayload, { title: text, body: text });
      const comment = structuredClone(exampleOf('issue_comment', 'created'));
      Object.assign(comment.comment as EventPayload, { body: text });
      for (const [event, payload] of [
        ['pull_request', pr],
        ['issue_comment', comment],
      ] as const) {
        const message = await render(undefined, contextFor(event, payload));
        expect(serverMentions(message), message).toEqual([]);
      }
      const payload = await renderPayload(
        {
          attachments: [
            {
              pretext: '{{ event.pull_request.title }}',
              text: '{{ event.pull_request.body | markdown }}',
              fields: [{ title: 'Why', value: '{{ event.pull_request.body | code }}' }],
            },
          ],
        },
        contextFor('pull_request', pr),
      );
      const [attachment] = payload.attachments as Array<Record<string, unknown>>;
      const fields = attachment?.fields as Array<{ value: string }>;
      for (const scanned of [attachment?.pretext, attachment?.text, fields[0]?.value])
        expect(serverMentions(String(scanned))).toEqual([]);
    },
  );

  it('a value completing the template\u2019s own @ cannot ping: cc @{{ login }} with login all', async () => {
    const pr = structuredClone(exampleOf('pull_request', 'opened'));
    Object.assign((pr.pull_request as EventPayload).user as EventPayload, { login: 'all' });
    const context = contextFor('pull_request', pr);
    for (const template of [
      'cc @{{ event.pull_request.user.login }}',
      'cc @{{ event.pull_request.user.login | mention }}',
      'cc @{{ event.pull_request.user.login | code }}',
      '{% capture who %}@{{ event.pull_request.user.login }}{% endcapture %}cc {{ who }}',
    ]) {
      const message = await render(template, context);
      expect(serverMentions(message), `${template} → ${message}`).toEqual([]);
    }
    // Not inside a word: mail addresses stay as they are.
    expect(await render('jo@{{ "example.com" }}', context)).toBe('jo@example.com');
  });
});

describe('what the web app lexer makes of U+00A0 and U+2424', () => {
  it.each([
    ['a heading after U+2424', 'Thanks\u2424# URGENT: rotate your password'],
    ['a heading after U+00A0', '#\u00a0Security notice'],
    ['a quote', 'fine\u2424> quoted'],
    ['a list', 'ok\u2424-\u00a0item\u24241)\u00a0two'],
    ['a setext heading', 'Title\u2424==='],
    ['an indented code block', 'x\u2424\u2424\u00a0\u00a0\u00a0\u00a0code'],
  ])('%s is not made', async (_what, body) => {
    const message = await render('{{ event.issue.body }}', issue({ body }));
    expect(structureOf(message), message).toEqual([]);
  });
});

describe('layout', () => {
  it('`1)` and `1.` start no list', async () => {
    for (const title of ['1) revert', '2. revert', '1)\trevert']) {
      const message = await render(undefined, issue({ title: 'x', body: title }));
      expect(styledTexts(message).filter((n) => n.type === 'list')).toEqual([]);
    }
  });

  it('the fence the markdown filter adds cannot open a new one', async () => {
    for (const body of ['```js``` is how we fence', '``` a ` b', '~~~\nopen', '```\nopen']) {
      const message = await render(
        '{{ event.issue.body | markdown }}\n[Full notes](https://example.com/notes) @channel',
        issue({ body }),
      );
      expect(structureOf(message), message).toContain('link https://example.com');
      expect(structureOf(message).filter((n) => n === 'code_block').length).toBeLessThanOrEqual(1);
      expect(message).toMatch(/\n\[Full notes\]\(https:\/\/example\.com\/notes\) @channel$/);
      expect(serverMentions(message)).toEqual(['@channel']);
    }
  });

  it('| and newlines in a value cannot add a cell or a row to the template\u2019s table', async () => {
    const template = [
      '| Title | Branch |',
      '|---|---|',
      '| {{ event.issue.title }} | {{ event.issue.body | code }} |',
      '',
      'After the table.',
    ].join('\n');
    const message = await render(
      template,
      issue({ title: 'a | b\n| c | d |\nnew row', body: 'x|y | z\nw' }),
    );
    const nodes = structureOf(message);
    expect(nodes.filter((n) => n === 'table_row')).toHaveLength(2);
    expect(nodes.filter((n) => n === 'table_cell')).toHaveLength(4);
    expect(message).toContain('\n\nAfter the table.');
  });

  it('newlines stay outside a table', async () => {
    expect(await render('{{ event.issue.body }}', issue({ body: 'one\ntwo' }))).toBe('one\ntwo');
  });
});

describe('emphasis from URLs inside link text', () => {
  it('Fix https://x.example/**URGENT**/ now as a title stays plain inside the link', async () => {
    for (const title of [
      'Fix https://x.example/**URGENT**/ now',
      'Fix https://x.example/__URGENT__/ now',
      'Fix https://x.example/_URGENT_/ now',
      'Fix https://x.example/~~URGENT~~/ now',
    ]) {
      const message = await render(undefined, issue({ title }));
      const styled = styledTexts(message).filter((n) => n.type !== 'link');
      expect(styled, message).toEqual([]);
      // The same text as a bare link still works as one.
      const bare = await render('{{ event.issue.title }}', issue({ title }));
      expect(structureOf(bare).filter((n) => n.startsWith('link'))).toEqual([]);
      expect(autolinks(bare)).toEqual([
        expect.stringMatching(/^https:\/\/x\.example\/\S+URGENT\S+\/$/),
      ]);
    }
  });
});

describe('the markdown filter', () => {
  it.each([
    ['an entity-encoded scheme', '[Review](&#106;avascript:alert(1))'],
    ['a named entity', '[Review](javascript&colon;alert(1))'],
    ['a hex entity and a tab', '[Review](&#x6A;ava&Tab;script:alert(1))'],
    ['a backslash escape', '[Review](javascript\\:alert(1))'],
    ['a leading entity space', '[Review](&#32;javascript:alert(1))'],
    ['angle brackets', '[Review](<javascript:alert(1)>)'],
    ['a definition in a quote', '> [r]: javascript:alert(1)\n\n[Review][r]'],
    ['a definition in a list item', '- [r]: javascript:alert(1)\n\n[Review][r]'],
    [
      'a definition in a nested quote list',
      '> 1. > [r]:\n> 1. >   javascript:alert(1)\n\n[Review][r]',
    ],
    ['a definition on the next line', '[r]:\n  vbscript:msgbox(1)\n\n[Review][r]'],
    ['a data: image', '![pixel](data:image/png;base64,iVBORw0KGgo=)'],
    ['a data: image by reference', '![pixel][p]\n\n[p]: data:image/png;base64,iVBORw0KGgo='],
    ['an autolink', '<javascript:alert(1)>'],
    ['an upper-case scheme', '[Review](JAVASCRIPT:alert(1))'],
  ])('keeps no link to a script through %s', async (_how, body) => {
    const message = await render('{{ event.issue.body | markdown }}', issue({ body }));
    expect(unsafeTargets(message), message).toEqual([]);
    expect(
      structureOf(message).filter((n) => n.startsWith('image')),
      message,
    ).toEqual([]);
  });

  it('keeps web, mail and relative links and images', async () => {
    const body =
      '[docs](https://example.com/docs) ![logo](https://example.com/logo.png) [mail](mailto:jo@example.com) [rel](/releases) [r][d] [pr](//cdn.example/x)\n\n[d]: http://example.com/d';
    const message = await render('{{ event.issue.body | markdown }}', issue({ body }));
    expect(structureOf(message)).toEqual([
      'link https://example.com',
      'image https://example.com',
      'link mailto:',
      'link /releases',
      'link http://example.com',
      // Protocol-relative is not relative: it is an https link to another site, kept as one.
      'link https://cdn.example',
    ]);
  });
});

describe('blocks from the shortest markers', () => {
  it.each([
    ['a lone =', 'URGENT: rotate your password\n='],
    ['a lone - with trailing blanks', 'URGENT: rotate your password\n-  '],
    ['= indented three spaces', 'URGENT: rotate your password\n   =\t'],
    ['= after a tab', 'URGENT: rotate your password\n\t='],
    ['- indented, then blanks', 'URGENT\n  - \t'],
  ])('%s underlines no setext heading', async (_what, body) => {
    const message = await render('{{ event.issue.body }}', issue({ body }));
    expect(structureOf(message), message).toEqual([]);
  });

  it('an ordered list number of any length is escaped', async () => {
    // The web app's marked takes `\d+\.` (any length) as a list bullet; CommonMark stops at nine
    // digits, so the parser here cannot see it: the escape itself is what is checked.
    for (const body of ['1234567890. Security notice', '123456789012345) x', '1234567890.']) {
      const message = await render('{{ event.issue.body }}', issue({ body }));
      expect(message, message).toMatch(/^\d+\\[.)]/);
    }
  });
});

describe('inline LaTeX', () => {
  it.each([
    ['a pair in one value', '{{ event.issue.title }}', 'cost $\\huge{FREE}$ now'],
    ['a backslash before the $', '{{ event.issue.title }}', 'cost \\$\\huge{FREE}$ now'],
    ['with the template\u2019s closing $', '{{ event.issue.title }}$ now', 'cost $\\huge{FREE}'],
    ['with the template\u2019s opening $', 'cost $ {{ event.issue.title }}', '\\huge{FREE}$ now'],
    ['an escaped $ between', '{{ event.issue.title }}', '$a $b$ c$'],
    ['across two values', '{{ event.issue.title }} {{ event.issue.body }}', '$\\huge{A}'],
    ['in link text', undefined, 'Fix $\\huge{FREE}$'],
    [
      'on a table row, across the value\u2019s lines',
      '| a |\n|---|\n| {{ event.issue.title }} |',
      'x $5b\nc$ y',
    ],
  ])('is not made by %s', async (_what, template, title) => {
    const message = await render(template, issue({ title, body: 'B}$ x' }));
    expect(
      structureOf(message).filter((n) => n === 'latex_inline'),
      message,
    ).toEqual([]);
    // The web app's marked: `inlinelatex: /^\$([^\$\n]+)\$(?!\w)/`, tried where its text rule
    // stops (`\B\$`), in link text too, and with no `\$` escape.
    expect(message, message).not.toMatch(/(?:^|[^A-Za-z0-9])\$[^$\n]+\$(?![A-Za-z0-9_])/);
  });

  it('a backslash before an encoded $ still shows, in both apps', async () => {
    const message = await render('{{ event.issue.title }}', issue({ title: 'cost \\$x$ now' }));
    expect(message).toBe('cost \\\\&#36;x&#36; now');
  });

  it('a $ that cannot pair stays as it is', async () => {
    // One the template could close (`{{ price }} (was $3)`) is encoded: `costs $5` is `costs &#36;5`.
    for (const title of ['US$5 or US$10', 'a$b$c']) {
      expect(await render('{{ event.issue.title }}.', issue({ title }))).toBe(`${title}.`);
    }
  });
});

describe('links made across values', () => {
  it('a definition kept by markdown cannot link a [label] printed elsewhere', async () => {
    const release = structuredClone(exampleOf('release', 'published'));
    for (const name of ['[Download]', '[Download] v2', 'Get it: [download][]']) {
      Object.assign(release.release as EventPayload, {
        name,
        body: '[download]: https://evil.example/x\n\nNotes',
      });
      const message = await render(undefined, contextFor('release', release));
      expect(structureOf(message), message).not.toContainEqual(
        expect.stringContaining('evil.example'),
      );
      const shown = await render(
        '{{ event.release.name }}\n\n{{ event.release.body | markdown }}',
        contextFor('release', release),
      );
      expect(structureOf(shown), shown).toEqual([]);
    }
  });

  it('the value\u2019s own references still link, inline', async () => {
    const body =
      'See [the docs][d] and [Docs].\n\n[d]: https://example.com/docs "Docs"\n[docs]: /docs';
    const message = await render('{{ event.issue.body | markdown }}', issue({ body }));
    expect(structureOf(message)).toEqual(['link https://example.com', 'link /docs']);
    expect(message).not.toMatch(/\]:/);
  });

  it('a [label] ending a value cannot become a definition or a link with what follows', async () => {
    const context = issue({ title: '[WIP]', body: '(https://evil.example/x)' });
    const url = stringAt(context.event, 'issue', 'html_url');
    const defined = await render('{{ event.issue.title }}: {{ event.issue.html_url }}', context);
    expect(autolinks(defined), defined).toEqual([url]);
    const linked = await render('{{ event.issue.title }}{{ event.issue.body }}', context);
    expect(structureOf(linked), linked).toEqual([]);
    // It reads the same: a zero-width space after a `]` that ends the value, none elsewhere.
    expect(await render('{{ event.issue.title }} Fix', context)).toBe('[WIP]\u200B Fix');
    expect(await render('{{ event.issue.title }}', issue({ title: '[WIP] Fix' }))).toBe(
      '[WIP] Fix',
    );
  });
});

describe('HTML blocks from the markdown filter', () => {
  it.each([
    '<pre>',
    '<script>',
    '<style>',
    '<textarea>',
    '<?php',
    '<!DOCTYPE x',
    '<![CDATA[',
    '> <PRE class="x">',
    '- <script',
    '<div>',
    '</p>',
    '<a href="https://evil.example/">',
  ])('%j cannot swallow the template\u2019s text after it', async (tag) => {
    const context = issue({ body: `Notes\n\n${tag}` });
    const url = stringAt(context.event, 'issue', 'html_url');
    // A blank line ends the blocks of `<div>` and `<a>`, not those of `<pre>` or `<?`.
    for (const between of ['\n\n', '\n']) {
      const message = await render(
        `{{ event.issue.body | markdown }}${between}Footer by template: {{ event.issue.html_url }}`,
        context,
      );
      expect(structureOf(message), message).not.toContain('html_block');
      if (between === '\n\n') expect(autolinks(message), message).toContain(url);
    }
  });

  it('leaves them alone inside a code fence, and autolinks and inline tags alone', async () => {
    for (const body of ['```php\n<?php echo 1;\n```', '<https://example.com/x>', 'a <b>c</b>']) {
      expect(await render('{{ event.issue.body | markdown }}', issue({ body }))).toBe(body);
    }
  });
});

describe('Mattermost\u2019s own links', () => {
  it.each([
    ['a channel link', 'join ~town-square now'],
    ['a channel link after ~~', 'x ~~town-square'],
    ['a hashtag', 'see #security-alert'],
    ['an e-mail address', 'write to foo@bar.com'],
  ])('%s is not made from event text', async (_what, title) => {
    const message = await render('{{ event.issue.title }}', issue({ title }));
    expect(structureOf(message), message).toEqual([]);
  });

  it('nor completed by the template', async () => {
    for (const [template, title] of [
      ['{{ event.issue.title }}town-square', '~'],
      ['{{ event.issue.title }}security', '#'],
    ] as const) {
      const message = await render(template, issue({ title }));
      expect(structureOf(message), message).toEqual([]);
      // The web app links `~name` and `#name` in the rendered text, past a backslash.
      expect(message).toContain(`${title}\u200B`);
    }
  });

  it('emoji are allowed: they draw a picture and change nothing else', async () => {
    const message = await render('{{ event.issue.title }}', issue({ title: ':tada: shipped :)' }));
    expect(message).toBe(':tada: shipped :)');
    expect(structureOf(message)).toEqual([]);
  });
});

describe('payload URL fields', () => {
  it('keep only http(s) URLs, the post\u2019s icon too, and say which one was left out', async () => {
    const warnings: string[] = [];
    const context = issue({ html_url: 'javascript:alert(1)', title: 'x' });
    const rendered = await renderPayload(
      {
        attachments: [
          {
            title: '{{ event.issue.title }}',
            title_link: '{{ event.issue.html_url }}',
            author_link: 'data:text/html,x',
            author_icon: '{{ event.issue.html_url | raw }}',
            image_url: 'https://example.com/a.png',
            thumb_url: ' https://example.com/t.png ',
            footer_icon: 'https://example.com/f.png and more',
          },
        ],
        props: { attachments: [{ image_url: 'vbscript:x' }], override_icon_url: 'data:x' },
        icon_url: '{{ event.issue.html_url }}',
      },
      context,
      { warn: (line) => warnings.push(line) },
    );
    expect(rendered.attachments).toEqual([
      {
        title: 'x',
        image_url: 'https://example.com/a.png',
        thumb_url: 'https://example.com/t.png',
      },
    ]);
    expect(rendered.props).toEqual({ attachments: [{}] });
    expect(rendered.icon_url).toBeUndefined();
    expect(await renderPayload({ icon_url: ' https://example.com/i.png' }, context)).toEqual({
      icon_url: 'https://example.com/i.png',
    });
    expect(warnings).toEqual([
      'payload: icon_url is not an http(s) URL, so it was left out: "javascript:alert(1)".',
      'payload: props.override_icon_url is not an http(s) URL, so it was left out: "data:x".',
      'payload: attachments[0].title_link is not an http(s) URL, so it was left out: "javascript:alert(1)".',
      'payload: attachments[0].author_link is not an http(s) URL, so it was left out: "data:text/html,x".',
      'payload: attachments[0].author_icon is not an http(s) URL, so it was left out: "javascript:alert(1)".',
      'payload: attachments[0].footer_icon is not an http(s) URL, so it was left out: "https://example.com/f.png and more".',
      'payload: props.attachments[0].image_url is not an http(s) URL, so it was left out: "vbscript:x".',
    ]);
  });
});

describe('bounds', () => {
  const doubling =
    '{% assign s = "x " %}{% for i in (1..28) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}';

  it('capture cannot grow past the write bound', async () => {
    const error = await failure(render(doubling, issue({})));
    expect(error.input).toBe('message');
    expect(error.message).toMatch(
      /^The message template has an error on line 1, column \d+: rendered text limit exceeded: it writes more than 2,000,000 characters \(a capture or loop that keeps growing\?\)\.$/,
    );
    expect(error.message).not.toContain('\n');
  });

  it('nor in the payload', async () => {
    const error = await failure(renderPayload({ text: doubling }, issue({})));
    expect(error.input).toBe('payload');
    expect(error.message).toContain('rendered text limit exceeded');
  });

  it('a message is at most 65,536 characters, so it makes a bounded number of posts', async () => {
    const error = await failure(
      render('{% for i in (1..7000) %}0123456789{% endfor %}', issue({})),
    );
    expect(error.input).toBe('message');
    expect(error.message).toBe(
      'The message is 70,000 characters once rendered, over the 65,536 allowed: shorten it (truncate long values, limit loops).',
    );
    const payloadError = await failure(
      renderPayload(
        {
          a: '{% for i in (1..4000) %}0123456789{% endfor %}',
          b: '{{ "x" | append: "" }}{% for i in (1..3000) %}0123456789{% endfor %}',
        },
        issue({}),
      ),
    );
    expect(payloadError.input).toBe('payload');
    expect(payloadError.message).toMatch(
      /^The payload input's text is 70,001 characters once rendered/,
    );
  });

  it('the built-in release message is announced whatever the body (the passes run on what shows)', async () => {
    const release = structuredClone(exampleOf('release', 'published'));
    // Each took seconds to minutes through the old quadratic passes (13 s for the first at 64 KB).
    const bodies = [
      `see https://a.example/${'.'.repeat(131_072)}x`,
      `see https://a.example/${'.,'.repeat(65_536)}a`,
      `[x](${' '.repeat(131_072)}y`,
      `[r]:${' '.repeat(131_072)}x`,
      `]:${' \n'.repeat(65_536)}`,
      `<${'a'.repeat(131_072)}`,
      `${'[a'.repeat(65_536)}`,
      `${'](a'.repeat(43_690)}`,
      `${'@'.repeat(131_072)}`,
      `${'_*~'.repeat(43_690)}`,
    ];
    for (const body of bodies) {
      Object.assign(release.release as EventPayload, { body });
      const message = await render(undefined, contextFor('release', release));
      expect(message).toContain(`](${stringAt(release, 'release', 'html_url')})`);
      expect(structureOf(message)).toContain('link https://github.com');
      // The whole body through the markdown filter's passes and the default escaping, too.
      expect(keepMarkdown(body)).toEqual(expect.any(String));
      expect(escapeMarkdown(body).length).toBeGreaterThanOrEqual(body.length);
      expect(
        await render(
          '{{ event.release.body | truncate: 50 | link: "https://example.com" }}',
          contextFor('release', release),
        ),
      ).toMatch(/^\[/);
    }
  });
});

describe('the sandbox', () => {
  it('cannot reach prototypes through Drops', async () => {
    const template = [
      '{{ forloop.__proto__.__proto__ }}',
      '{% for i in (1..1) %}[{{ forloop.__proto__.__proto__ }}|{{ forloop.__proto__ }}|{{ forloop.constructor.name }}|{{ forloop.liquidMethodMissing }}|{{ forloop.index }}]{% endfor %}',
      '{% tablerow i in (1..1) %}{{ tablerowloop.__proto__.__proto__ }}{{ tablerowloop.toString }}{% endtablerow %}',
      '{% assign m = "x" | code %}{{ m.__proto__ }}{{ m.constructor }}',
    ].join('');
    const message = await render(template, issue({}));
    expect(message).not.toContain('object');
    expect(message).toContain('[||||1]');
  });

  it('escapes what echo and cycle print, as it does {{ }}', async () => {
    const context = issue({ title: '@channel **x**' });
    expect(
      await render('{% echo event.issue.title %}|{% cycle event.issue.title %}', context),
    ).toBe('@\u200Bchannel \\*\\*x\\*\\*|@\u200Bchannel \\*\\*x\\*\\*');
  });
});
