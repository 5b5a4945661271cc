import { describe, expect, it } from 'vitest';
import { scheduleExample } from '../scripts/gallery.js';
import { type EventPayload, stringAt } from '../src/context.js';
import { renderMessage } from '../src/template/index.js';
import { builtInMessages } from '../src/template/messages/index.js';
import { exampleHosts, examplesOf, webhookDefinitions } from './support/examples.js';
import { contextFor, findMentions, linkTargets, withoutInlineCode } from './template-helpers.js';

const STATUSES = ['', 'success', 'failure', 'cancelled', 'skipped'];
const STATUS_LINE: Record<string, string> = {
  success: ':white_check_mark: **Succeeded**',
  failure: ':x: **Failed**',
  cancelled: ':no_entry_sign: **Cancelled**',
  skipped: ':fast_forward: **Skipped**',
};

/** Every example of every event, from github.com and each GHES version. */
const corpus = exampleHosts.flatMap((host) =>
  webhookDefinitions(host).flatMap((definition) =>
    (definition.examples as unknown as EventPayload[]).map((payload, index) => ({
      name: `${host} ${definition.name}[${index}]${payload.action ? ` ${String(payload.action)}` : ''}`,
      event: definition.name as string,
      payload,
    })),
  ),
);

/** The page the message is about: what its link must point to. */
function linkToTheThing(
  event: string,
  payload: EventPayload,
  runLink: string,
  repoLink: string,
): string {
  const at = (...path: string[]) => stringAt(payload, ...path);
  switch (event) {
    case 'push':
      if (payload.deleted) return repoLink;
      if (Array.isArray(payload.commits) && payload.commits.length > 0) return at('compare');
      return at('head_commit', 'url') || at('compare');
    case 'pull_request':
      return at('pull_request', 'html_url');
    case 'pull_request_review':
      return at('review', 'html_url') || at('pull_request', 'html_url');
    case 'pull_request_review_comment':
    case 'issue_comment':
      return at('comment', 'html_url');
    case 'issues':
      return at('issue', 'html_url');
    case 'release':
      return payload.action === 'deleted' ? repoLink : at('release', 'html_url');
    case 'workflow_run':
      return at('workflow_run', 'html_url');
    case 'check_run':
      return at('check_run', 'html_url');
    case 'discussion':
      return at('discussion', 'html_url');
    case 'create':
    case 'delete':
    case 'deployment_status':
      return repoLink;
    default:
      return firstPage(payload) ?? runLink;
  }
}

/** The generic message links the first object in the event that has a page of its own. */
function firstPage(payload: EventPayload): string | undefined {
  const context = ['repository', 'sender', 'organization', 'installation', 'enterprise'];
  for (const [key, value] of Object.entries(payload)) {
    if (context.includes(key)) continue;
    const page = stringAt(value, 'html_url');
    if (page) return page;
  }
  return undefined;
}

describe('built-in messages for every example payload', () => {
  it('covers every event of the issue and the corpus', () => {
    const events = new Set(corpus.map((c) => c.event));
    for (const name of builtInMessages.keys()) {
      if (name !== 'schedule' && name !== 'pull_request_target') expect(events).toContain(name);
    }
    expect(corpus.length).toBeGreaterThan(400);
  });

  it.each(corpus)('$name', async ({ event, payload }) => {
    for (const status of STATUSES) {
      const context = contextFor(event, payload, { status });
      const message = await renderMessage(undefined, context);
      const where = `${event} with status '${status}':\n${message}`;

      expect(message.trim(), where).not.toBe('');
      expect(message, where).not.toMatch(/\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/);
      expect(message.length, where).toBeLessThanOrEqual(4000);
      expect(findMentions(message), where).toEqual([]);

      const targets = linkTargets(message);
      expect(
        targets.every((t) => /^https?:\/\//.test(t)),
        where,
      ).toBe(true);
      const repoLink = `[${context.github.repository}](${context.links.repo})`;
      const thing = linkToTheThing(event, payload, context.links.run, context.links.repo);
      expect(thing, where).not.toBe('');
      expect(targets, where).toContain(thing);
      expect(message, where).toContain(repoLink);

      const [firstLine = '', secondLine = ''] = message.split('\n');
      if (status) {
        expect(firstLine, where).toBe(
          `${STATUS_LINE[status]}: [CI #42](${context.links.run}) on ${context.github.repository}`,
        );
        expect(secondLine, where).toMatch(/^:[a-z0-9_+-]+: /);
      } else {
        expect(firstLine, where).toMatch(/^:[a-z0-9_+-]+: /);
      }
    }
  });
});

describe('golden messages', () => {
  const cases: Array<{
    file: string;
    event: string;
    payload: () => EventPayload;
    status?: string;
  }> = [
    {
      file: 'push',
      event: 'push',
      payload: () => {
        const withCommits = examplesOf('push').find(
          (e) => Array.isArray(e.commits) && e.commits.length > 0,
        ) as EventPayload;
        const commit = (withCommits.commits as EventPayload[])[0] ?? {};
        const commits = Array.from({ length: 7 }, (_, i) => ({
          ...commit,
          id: `${i}${String(commit.id).slice(1)}`,
          url: String(commit.url).replace(String(commit.id), `${i}${String(commit.id).slice(1)}`),
          message: `Change number ${i + 1}\n\nWith a body that is not shown.`,
        }));
        return { ...withCommits, created: false, commits };
      },
    },
    {
      file: 'pull_request-opened',
      event: 'pull_request',
      payload: () => first('pull_request', 'opened'),
    },
    {
      file: 'release-published',
      event: 'release',
      payload: () => {
        const example = first('release', 'published');
        const notes =
          "## What's changed\n- Faster start-up by @alice (#12)\n- Fix the README (#13)";
        return {
          ...example,
          release: { ...(example.release as EventPayload), name: 'Version 0.0.1', body: notes },
        };
      },
    },
    {
      file: 'workflow_run-failed',
      event: 'workflow_run',
      status: 'failure',
      payload: () => {
        const example = examplesOf('workflow_run').find(
          (e) => stringAt(e, 'workflow_run', 'conclusion') === 'success',
        ) as EventPayload;
        return {
          ...example,
          workflow_run: { ...(example.workflow_run as EventPayload), conclusion: 'failure' },
        };
      },
    },
    {
      file: 'issue_comment-created',
      event: 'issue_comment',
      payload: () => first('issue_comment', 'created'),
    },
  ];

  it.each(cases)('$file', async ({ file, event, payload, status }) => {
    const message = await renderMessage(undefined, contextFor(event, payload(), { status }));
    await expect(`${message}\n`).toMatchFileSnapshot(`__snapshots__/${file}.md`);
  });
});

function first(event: string, action: string): EventPayload {
  const example = examplesOf(event).find((e) => e.action === action);
  if (!example) throw new Error(`no ${event} ${action} example`);
  return example;
}

describe('hostile event text', () => {
  const HOSTILE_LINE = [
    '{{ 7*7 }} {% raw %}{{ github }}{% endraw %}',
    '@channel @all @here @someone x-@channel',
    '<!channel> <!here|here> <https://evil.example|click me>',
    '[x](javascript:alert(1)) [click](https://evil.example)',
    '**bold** _it_ ~~gone~~ `code` ``` fence',
    'zero\u200Bwidth\u200D rtl \u202Eevil\u202C',
  ].join(' ');
  const HOSTILE_BLOCK = [
    '# heading',
    '> quote',
    '| table | x |',
    '|---|---|',
    '- item',
    '1. item',
    '```',
    HOSTILE_LINE,
    'x'.repeat(5000),
  ].join('\n');
  const BRANCH = 'feature/{{ 7*7 }}/@channel-<!here>-**x**_[y](z)';

  const patch = (
    event: string,
    action: string | undefined,
    change: (e: EventPayload) => void,
  ): EventPayload => {
    const example = structuredClone(
      action ? first(event, action) : (examplesOf(event)[0] as EventPayload),
    );
    change(example);
    return example;
  };
  const obj = (e: EventPayload, key: string) => e[key] as EventPayload;

  const cases: Array<[string, EventPayload]> = [
    [
      'pull_request',
      patch('pull_request', 'opened', (e) => {
        Object.assign(obj(e, 'pull_request'), { title: HOSTILE_LINE, body: HOSTILE_BLOCK });
        Object.assign(obj(obj(e, 'pull_request'), 'head'), { ref: BRANCH });
        Object.assign(obj(e, 'sender'), { login: '@channel' });
      }),
    ],
    [
      'push',
      patch('push', undefined, (e) => {
        const commit = {
          id: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
          url: 'https://github.com/x/y/commit/ec2',
        };
        Object.assign(e, {
          ref: `refs/heads/${BRANCH}`,
          created: false,
          deleted: false,
          commits: [
            {
              ...commit,
              message: HOSTILE_BLOCK,
              author: { name: HOSTILE_LINE, username: '@here' },
            },
            { ...commit, message: HOSTILE_LINE, author: { name: '<!channel>' } },
          ],
          pusher: { name: '@all' },
        });
      }),
    ],
    [
      'issues',
      patch('issues', 'opened', (e) =>
        Object.assign(obj(e, 'issue'), { title: HOSTILE_LINE, body: HOSTILE_BLOCK }),
      ),
    ],
    [
      'issue_comment',
      patch('issue_comment', 'created', (e) => {
        Object.assign(obj(e, 'issue'), { title: HOSTILE_LINE });
        Object.assign(obj(e, 'comment'), { body: HOSTILE_BLOCK });
      }),
    ],
    [
      'release',
      patch('release', 'published', (e) =>
        Object.assign(obj(e, 'release'), {
          name: HOSTILE_LINE,
          tag_name: BRANCH,
          body: HOSTILE_BLOCK,
        }),
      ),
    ],
    [
      'create',
      patch('create', undefined, (e) => Object.assign(e, { ref: BRANCH, ref_type: 'branch' })),
    ],
    [
      'workflow_run',
      patch('workflow_run', 'completed', (e) =>
        Object.assign(obj(e, 'workflow_run'), {
          display_title: HOSTILE_LINE,
          head_branch: BRANCH,
          name: '@here CI',
        }),
      ),
    ],
    [
      'check_run',
      patch('check_run', 'completed', (e) => {
        Object.assign(obj(e, 'check_run'), { name: HOSTILE_LINE });
        Object.assign(obj(obj(e, 'check_run'), 'output'), { title: HOSTILE_BLOCK });
      }),
    ],
    [
      'deployment_status',
      patch('deployment_status', undefined, (e) =>
        Object.assign(obj(e, 'deployment_status'), {
          description: HOSTILE_BLOCK,
          environment: HOSTILE_LINE,
        }),
      ),
    ],
    [
      'discussion',
      patch('discussion', 'created', (e) =>
        Object.assign(obj(e, 'discussion'), { title: HOSTILE_LINE, body: HOSTILE_BLOCK }),
      ),
    ],
    [
      'workflow_dispatch',
      patch('workflow_dispatch', undefined, (e) =>
        Object.assign(e, {
          ref: `refs/heads/${BRANCH}`,
          inputs: { note: HOSTILE_LINE, [HOSTILE_LINE]: 'x' },
        }),
      ),
    ],
    [
      'label',
      patch('label', undefined, (e) =>
        Object.assign(obj(e, 'label'), { name: HOSTILE_LINE, html_url: 'https://github.com/l' }),
      ),
    ],
  ];

  it.each(cases)(
    '%s cannot ping, link elsewhere, run code or break the message',
    async (event, payload) => {
      for (const status of ['', 'failure']) {
        const message = await renderMessage(undefined, contextFor(event, payload, { status }));
        const where = `${event}:\n${message}`;
        expect(findMentions(message), where).toEqual([]);
        expect(message, where).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
        expect(message, where).not.toMatch(/<!(channel|here|all)>/);
        // Slack's <url|text> is rewritten inside code too, but stays code there: only text outside matters.
        expect(withoutInlineCode(message), where).not.toMatch(/<[^<|]+\|[^>]+>/);
        for (const target of linkTargets(message))
          expect(target, where).toMatch(/^https:\/\/github\.com\//);
        expect(message, where).toMatch(/\{\{ 7\\?\*7 \}\}/);
        expect(message.length, where).toBeLessThanOrEqual(4000);
        const preview = message.split('\n')[0] ?? '';
        expect(preview, where).toMatch(/^:[a-z0-9_+-]+: /);
        expect(withoutInlineCode(preview), where).not.toMatch(
          /(?<!\\)\*\*bold|(?<!\\)\[click\]|(?<!\\)`code/,
        );
      }
    },
  );

  it('a pull request body excerpt is plain text: a stranger cannot inject a link', async () => {
    const payload = patch('pull_request', 'opened', (e) =>
      Object.assign(obj(e, 'pull_request'), {
        body: 'See [the docs](https://evil.example/docs), [x](javascript:alert(1)) and <!here>',
      }),
    );
    const message = await renderMessage(undefined, contextFor('pull_request', payload));
    expect(message).toContain('the docs');
    expect(linkTargets(message).filter((t) => t.includes('evil.example'))).toEqual([]);
    expect(linkTargets(message).filter((t) => !t.startsWith('https://'))).toEqual([]);
    expect(findMentions(message)).toEqual([]);
  });

  it('release notes keep their web links (written by maintainers) but no script link', async () => {
    const payload = patch('release', 'published', (e) =>
      Object.assign(obj(e, 'release'), {
        body: 'See [the docs](https://example.com/docs), [x](javascript:alert(1)) and <!here>',
      }),
    );
    const message = await renderMessage(undefined, contextFor('release', payload));
    expect(linkTargets(message)).toContain('https://example.com/docs');
    expect(linkTargets(message).filter((t) => !t.startsWith('https://'))).toEqual([]);
    expect(findMentions(message)).toEqual([]);
  });

  it('keeps a deliberate @channel that the template author wrote', async () => {
    const payload = cases[0]?.[1] ?? {};
    const message = await renderMessage(
      '@channel {{ event.pull_request.title }}',
      contextFor('pull_request', payload),
    );
    expect(findMentions(message)).toEqual(['@channel']);
  });
});

describe('links on GitHub Enterprise Server', () => {
  it.each(examplesOf('push', 'ghes-35').map((payload, index) => [index, payload] as const))(
    'push example %i links to the GHES host only',
    async (_index, payload) => {
      const message = await renderMessage(
        undefined,
        contextFor('push', payload, {
          serverUrl: 'https://octocoders.github.io',
          status: 'success',
        }),
      );
      const targets = linkTargets(message);
      expect(targets.length).toBeGreaterThan(1);
      for (const target of targets) expect(target).toMatch(/^https:\/\/octocoders\.github\.io\//);
    },
  );

  it('builds links from GITHUB_SERVER_URL when the event has no html_url', async () => {
    const payload = scheduleExample();
    const repository = { ...(payload.repository as EventPayload) };
    delete repository.html_url;
    const context = contextFor(
      'schedule',
      { ...payload, repository },
      { serverUrl: 'https://ghe.example.com', status: 'failure' },
    );
    const message = await renderMessage(undefined, context);
    expect(message).toBe(
      [
        ':x: **Failed**: [CI #42](https://ghe.example.com/Codertocat/Hello-World/actions/runs/1658821493) on Codertocat/Hello-World',
        ':alarm_clock: Scheduled run [CI #42](https://ghe.example.com/Codertocat/Hello-World/actions/runs/1658821493) in [Codertocat/Hello-World](https://ghe.example.com/Codertocat/Hello-World) (`0 4 * * *`)',
      ].join('\n'),
    );
  });
});

describe('events the corpus lacks', () => {
  it('schedule names the cron and links the run', async () => {
    const message = await renderMessage(undefined, contextFor('schedule', scheduleExample()));
    expect(message).toBe(
      ':alarm_clock: Scheduled run [CI #42](https://github.com/Codertocat/Hello-World/actions/runs/1658821493) in [Codertocat/Hello-World](https://github.com/Codertocat/Hello-World) (`0 4 * * *`)',
    );
  });

  it('a workflow_run that failed to start says so', async () => {
    const event = structuredClone(
      examplesOf('workflow_run').find((e) => e.action === 'completed') as EventPayload,
    );
    (event.workflow_run as EventPayload).conclusion = 'startup_failure';
    const message = await renderMessage(undefined, contextFor('workflow_run', event));
    expect(message.split('\n')[0]).toMatch(/^:x: Workflow \[.*\]\(.*\) failed to start /);
  });

  it('create links a branch whose name holds # or ?', async () => {
    const event = structuredClone(examplesOf('create')[0] as EventPayload);
    Object.assign(event, { ref: 'fix/#12-crash?', ref_type: 'branch' });
    const message = await renderMessage(undefined, contextFor('create', event));
    expect(linkTargets(message)[0]).toMatch(/\/tree\/fix\/%2312-crash%3F$/);
  });

  it('workflow_dispatch lists its inputs, safely', async () => {
    const payload = {
      ...examplesOf('workflow_dispatch')[0],
      inputs: {
        environment: 'production',
        dry_run: false,
        notes: '@channel see <!here>',
        empty: '',
      },
    };
    const message = await renderMessage(undefined, contextFor('workflow_dispatch', payload));
    expect(message.split('\n').slice(1)).toEqual([
      '- environment: `production`',
      '- dry_run: `false`',
      '- notes: `@\u200Bchannel see <\u200B!here>`',
      '- empty: (empty)',
    ]);
    expect(findMentions(message)).toEqual([]);
  });
});
