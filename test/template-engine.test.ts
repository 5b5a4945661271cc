import { describe, expect, it } from 'vitest';
import { ActionError } from '../src/errors.js';
import {
  type RenderOptions,
  renderMessage,
  renderPayload,
  statusAttachment,
  type TemplateContext,
} from '../src/template/index.js';
import { contextFor, findMentions } from './template-helpers.js';

const ZWSP = '\u200B';

const event = {
  action: 'opened',
  title: '@channel **Fix** `it`',
  body: 'Closes #3 for @here.\n<!-- from the PR template -->\n\n**Why**: it was slow.',
  reviewers: [{ login: 'alice' }, { login: 'Bob' }, { login: 'dependabot[bot]' }],
  empty: '',
  count: 5,
  created_at: '2024-03-01T10:20:30Z',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  url: 'https://github.com/octo-org/hello-world/pull/2',
  repository: {
    full_name: 'octo-org/hello-world',
    html_url: 'https://github.com/octo-org/hello-world',
  },
};
const context: TemplateContext = contextFor('pull_request', event);
const userMap: Record<string, string> = { alice: 'alice.m', bob: 'bobby' };
const mentionFor: RenderOptions['mentionFor'] = (login) => userMap[login.toLowerCase()];

const render = (template: string, options: RenderOptions = { mentionFor }) =>
  renderMessage(template, context, options);

async function templateErrorOf(template: string, given: TemplateContext): Promise<ActionError> {
  const error: unknown = await renderMessage(template, given).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

async function templateError(template: string): Promise<ActionError> {
  const error: unknown = await render(template).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

describe('default escaping', () => {
  it('escapes every value and leaves the template text alone', async () => {
    const message = await render('@channel **{{ event.title }}**');
    expect(message).toBe(`@channel **@${ZWSP}channel \\*\\*Fix\\*\\* \\\`it\\\`**`);
    expect(findMentions(message)).toEqual(['@channel']);
  });

  it('prints numbers, missing values and env as text', async () => {
    expect(
      await render('{{ event.count | plus: 1 }}|{{ event.nothing }}|{{ github.run_number }}'),
    ).toBe('6||42');
  });

  it('prints template syntax that is inside a value, never runs it', async () => {
    const hostile = contextFor('issues', {
      title: '{{ github.workflow }} {% raw %}x{% endraw %} {{7*7}}',
    });
    const message = await renderMessage('{{ event.title }}', hostile);
    expect(message).toBe('{{ github.workflow }} {% raw %}x{% endraw %} {{7\\*7}}');
  });
});

describe('filters', () => {
  it('raw prints the value as it is', async () => {
    expect(await render('{{ event.title | raw }}')).toBe('@channel **Fix** `it`');
  });

  it('markdown keeps the Markdown but not the mentions', async () => {
    expect(await render('{{ event.body | markdown }}')).toBe(
      `Closes #3 for @${ZWSP}here.\n\n\n**Why**: it was slow.`,
    );
  });

  it('code makes inline code the value cannot leave', async () => {
    expect(await render('{{ event.title | code }}')).toBe(
      `\`\` @${ZWSP}channel **Fix** \`it\` \`\``,
    );
  });

  it('link links http(s) URLs with an escaped label', async () => {
    expect(await render('{{ event.title | link: event.url }}')).toBe(
      `[@${ZWSP}channel \\*\\*Fix\\*\\* \\\`it\\\`](https://github.com/octo-org/hello-world/pull/2)`,
    );
    expect(await render('{{ "x" | link: "javascript:alert(1)" }}')).toBe('x');
  });

  it('truncate cuts first and escapes after', async () => {
    expect(await render('{{ "**bold** text" | truncate: 6 }}')).toBe('\\*\\*b...');
  });

  it('markdown ends a fence it closes on its own line, so the template text after it stays text', async () => {
    const message = await render(
      '{{ "Notes:\n```\nnpm i x" | markdown }} [Full notes](https://example.com) @channel',
    );
    expect(message).toBe('Notes:\n```\nnpm i x\n```\n [Full notes](https://example.com) @channel');
    expect(findMentions(message)).toEqual(['@channel']);
  });

  it('first_line, short_sha and date', async () => {
    expect(await render('{{ "\n  Fix it  \nMore" | first_line }}')).toBe('Fix it');
    expect(await render('{{ event.sha | short_sha }}')).toBe('ec26c3e');
    expect(await render('{{ "feature/login-page" | short_sha }}')).toBe('feature/login-page');
    expect(await render('{{ "v1.2.3" | short_sha }}')).toBe('v1.2.3');
    expect(await render('{{ event.created_at | date: "%Y-%m-%d", "UTC" }}')).toBe('2024-03-01');
  });

  it('date names days and months in English, whatever the machine locale', async () => {
    expect(await render('{{ event.created_at | date: "%A %-d %B %Y, %H:%M", "UTC" }}')).toBe(
      'Friday 1 March 2024, 10:20',
    );
    expect(await render('{{ event.created_at | date: "%a %b %-d", "Asia/Tokyo" }}')).toBe(
      'Fri Mar 1',
    );
  });

  it('mention turns mapped logins into @username and leaves the others plain', async () => {
    expect(
      await render('{{ "alice" | mention }} {{ "BOB" | mention }} {{ "carol" | mention }}'),
    ).toBe('@alice.m @bobby carol');
    expect(await render('{{ "alice" | mention }}', {})).toBe('alice');
  });

  it('mention works on arrays, with map and join, and in a for loop', async () => {
    expect(await render('{{ event.reviewers | map: "login" | mention | join: ", " }}')).toBe(
      // A `]` ending a value gets a zero-width space: what follows could make it a link.
      '@alice.m, @bobby, dependabot[bot]\u200B',
    );
    expect(await render('{{ event.reviewers | mention | first }}')).toBe('@alice.m');
    expect(await render('{% for r in event.reviewers %}{{ r | mention }};{% endfor %}')).toBe(
      '@alice.m;@bobby;dependabot[bot]\u200B;',
    );
    const message = await render('cc {{ event.reviewers | mention | join: " " }}');
    expect(findMentions(message).sort()).toEqual(['@alice.m', '@bobby']);
  });

  it('mention refuses a mapped name that is not a Mattermost username', async () => {
    const message = await render('{{ "mallory" | mention }}', {
      mentionFor: () => 'x](https://evil.example)',
    });
    expect(message).toBe('mallory');
  });

  it("sha256, hmac_sha256 and base64 give what liquidjs's Node build gives (src/template/node-filters.ts)", async () => {
    const { createHash, createHmac } = await import('node:crypto');
    const text = 'ünï ☃ release v1.2';
    const hostile = contextFor('issues', { title: text });
    expect(await renderMessage('{{ event.title | sha256 }}', hostile)).toBe(
      createHash('sha256').update(text, 'utf8').digest('hex'),
    );
    expect(await renderMessage('{{ event.title | hmac_sha256: "key" }}', hostile)).toBe(
      createHmac('sha256', 'key').update(text, 'utf8').digest('hex'),
    );
    // Web Crypto (the browser build's) refuses an empty key; node:crypto does not.
    for (const template of [
      '{{ event.title | hmac_sha256: "" }}',
      '{{ event.title | hmac_sha256: event.nothing }}',
    ]) {
      expect(await renderMessage(template, hostile)).toBe(
        createHmac('sha256', '').update(text, 'utf8').digest('hex'),
      );
    }
    // A value, not a promise: other filters after it see the digest.
    expect(await renderMessage('{{ event.title | sha256 | size }}', hostile)).toBe('64');
    const base64 = Buffer.from(text, 'utf8').toString('base64'); // no character Markdown escapes
    expect(await renderMessage('{{ event.title | base64_encode }}', hostile)).toBe(base64);
    expect(await renderMessage(`{{ "${base64}" | base64_decode }}`, hostile)).toBe(text);
    // A leading byte order mark stays (a TextDecoder would drop it).
    expect(await renderMessage('{{ "77u/aGk=" | base64_decode | size }}', hostile)).toBe('3');
    expect((await templateErrorOf('{{ "not base64!" | base64_decode }}', hostile)).message).toMatch(
      /invalid base64/,
    );
  });

  it('unknown filters are errors', async () => {
    expect((await templateError('{{ event.title | nosuch }}')).message).toContain(
      'undefined filter: nosuch',
    );
  });
});

describe('filter order', () => {
  it('a safe value stays safe through truncate, first_line, upcase and default', async () => {
    expect(await render('{{ event.body | markdown | truncate: 20 }}')).toBe(
      `Closes #3 for @${ZWSP}he...`,
    );
    expect(await render('{{ event.body | truncate: 20 | markdown }}')).toBe(
      `Closes #3 for @${ZWSP}he...`,
    );
    expect(await render('{{ event.title | code | truncate: 9 }}')).toBe(`\`@${ZWSP}chann...\``);
    expect(await render('{{ event.title | raw | upcase }}')).toBe('@CHANNEL **FIX** `IT`');
    expect(await render('{{ event.empty | markdown | default: "_none_" }}')).toBe('\\_none_');
  });

  it('markdown then truncate cuts what shows, not the PR template comments', async () => {
    const withComment = contextFor('pull_request', {
      body: `<!-- ${'hint '.repeat(100)}-->\r\n\r\nReal text here.`,
    });
    expect(await renderMessage('{{ event.body | markdown | truncate: 12 }}', withComment)).toBe(
      'Real text...',
    );
  });

  it('any other filter after a safe one gets the value escaped again', async () => {
    expect(await render('{{ "**x**" | raw | append: "!" }}')).toBe('\\*\\*x\\*\\*!');
  });

  it('a capture is not escaped twice, and still compares as text', async () => {
    const template =
      '{% capture t %}*{{ event.title }}*{% endcapture %}{{ t }}|{% if t != "" %}set{% endif %}|{{ t | link: event.url }}';
    expect(await render(template)).toBe(
      `*@${ZWSP}channel \\*\\*Fix\\*\\* \\\`it\\\`*|set|[*@${ZWSP}channel \\*\\*Fix\\*\\* \\\`it\\\`*](https://github.com/octo-org/hello-world/pull/2)`,
    );
  });

  it('safe text compares as its text', async () => {
    expect(
      await render('{% assign m = "alice" | mention %}{% if m == "@alice.m" %}yes{% endif %}'),
    ).toBe('yes');
  });
});

describe('sandbox', () => {
  it.each([
    ['{% include "/etc/passwd" %}', 'include'],
    ['{% render "/etc/passwd" %}', 'render'],
    ['{% layout "/etc/passwd" %}', 'layout'],
  ])('%s cannot read files', async (template, tag) => {
    const error = await templateError(`Hello\n${template}`);
    expect(error.input).toBe('message');
    expect(error.message).toBe(
      `The message template has an error on line 2, column 1: {% ${tag} %} is not available: templates cannot read files.`,
    );
  });

  it('cannot reach prototypes', async () => {
    const template =
      '[{{ event.constructor }}|{{ "x".constructor.name }}|{{ event.__proto__ }}|{{ event.reviewers.constructor }}|{{ github.toString }}]';
    expect(await render(template)).toBe('[||||]');
  });

  it('names the line and what is wrong, on one line', async () => {
    const error = await templateError('line one\n{% if event.title %}\nnever closed');
    expect(error.message).toMatch(
      /^The message template has an error on line 2, column 1: tag .*not closed\.$/,
    );
    expect(error.message).not.toContain('\n');
    expect(error.cause).toBeDefined();
  });

  it('stops a template that would allocate too much', async () => {
    const error = await templateError('{% for i in (1..1000000000) %}{{ i }}{% endfor %}');
    expect(error.message).toContain('memory alloc limit exceeded: it does too much work');
  });

  it('stops a template that would run too long', async () => {
    const error = await templateError(
      '{% for i in (1..4000) %}{% for j in (1..4000) %}{% endfor %}{% endfor %}',
    );
    expect(error.message).toMatch(/limit exceeded: it does too much work/);
  });

  it('refuses a template too large to parse', async () => {
    const error = await templateError('x'.repeat(1_000_001));
    expect(error.message).toContain('parse length limit exceeded');
  });
});

describe('renderPayload', () => {
  it('renders every string, deep in objects and arrays, and leaves keys and other values', async () => {
    const payload = {
      props: { card: '**{{ event.title }}**', '{{ key }}': 'kept' },
      attachments: [
        {
          text: '{{ event.body | markdown }}',
          fields: [{ title: 'n', value: '{{ event.count }}', short: true }],
        },
      ],
      priority: { priority: 'important', requested_ack: false },
      count: 3,
      none: null,
    };
    const rendered = await renderPayload(payload, context, { mentionFor });
    expect(rendered).toEqual({
      props: { card: `**@${ZWSP}channel \\*\\*Fix\\*\\* \\\`it\\\`**`, '{{ key }}': 'kept' },
      attachments: [
        {
          text: `Closes #3 for @${ZWSP}here.\n\n\n**Why**: it was slow.`,
          fields: [{ title: 'n', value: '5', short: true }],
        },
      ],
      priority: { priority: 'important', requested_ack: false },
      count: 3,
      none: null,
    });
  });

  it('stays valid JSON whatever quotes, backslashes and newlines the event holds', async () => {
    const nasty = contextFor('issues', { title: 'a "quoted" \\ back\nslash\u0000 }' });
    const rendered = await renderPayload({ text: '{"x": "{{ event.title }}"}' }, nasty);
    expect(JSON.parse(JSON.stringify(rendered))).toEqual(rendered);
    expect(rendered.text).toBe('{"x": "a "quoted" \\ back\nslash\u0000 }"}');
  });

  it('names the payload and where in it a template is wrong', async () => {
    const error: unknown = await renderPayload(
      { attachments: [{ text: '{{ x | nope }}' }] },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).input).toBe('payload');
    expect((error as ActionError).message).toBe(
      'The payload template at attachments[0].text has an error on line 1, column 1: undefined filter: nope.',
    );
  });
});

describe('statusAttachment', () => {
  it.each([
    ['success', 'good', 'CI #42 succeeded on octo-org/hello-world'],
    ['failure', 'danger', 'CI #42 failed on octo-org/hello-world'],
    ['cancelled', '#808080', 'CI #42 was cancelled on octo-org/hello-world'],
    ['skipped', '#808080', 'CI #42 was skipped on octo-org/hello-world'],
  ])('%s is %s', (status, color, fallback) => {
    expect(statusAttachment(status, context)).toEqual({ color, fallback });
  });

  it('is undefined without a known status', () => {
    expect(statusAttachment('', context)).toBeUndefined();
    expect(statusAttachment('neutral', context)).toBeUndefined();
  });
});

describe('built-in message choice', () => {
  it('uses the generic message for an event without its own, whatever its name', async () => {
    for (const name of ['label', 'constructor', '__proto__']) {
      const message = await renderMessage(undefined, contextFor(name, { action: 'created' }));
      expect(message).toMatch(/^:bell: \*\*/);
    }
  });
});
