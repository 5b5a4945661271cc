/**
 * Writes docs/gallery.md: every built-in message rendered from a real example payload, without
 * and with a job status. Run `npx tsx scripts/gallery.ts` after changing a built-in message; a
 * test fails while the file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type EventPayload, stringAt } from '../src/context.js';
import { renderMessage, statusAttachment } from '../src/template/index.js';
import { examplesOf } from '../test/support/examples.js';
import { contextFor } from '../test/template-helpers.js';

export const galleryPath = resolve(import.meta.dirname, '../docs/gallery.md');

interface Shown {
  event: string;
  /** What the heading says about the example, e.g. the action. */
  note?: string;
  payload: () => EventPayload;
  status: string;
}

const first = (
  event: string,
  pick: (example: EventPayload) => boolean = () => true,
): EventPayload => {
  const example = examplesOf(event).find(pick);
  if (!example) throw new Error(`@octokit/webhooks-examples has no fitting ${event} example`);
  return example;
};
const withAction = (action: string) => (example: EventPayload) => example.action === action;
const edited = (event: EventPayload, path: string[], value: unknown): EventPayload => {
  const copy = structuredClone(event);
  let target: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1) ?? ''] = value;
  return copy;
};

/** One example per built-in message; a few are adjusted (marked) to show a case the corpus lacks. */
const SHOWN: readonly Shown[] = [
  {
    event: 'push',
    payload: () => first('push', (e) => Array.isArray(e.commits) && e.commits.length > 0),
    status: 'success',
  },
  {
    event: 'pull_request',
    note: 'opened',
    payload: () => first('pull_request', withAction('opened')),
    status: 'success',
  },
  {
    event: 'pull_request',
    note: 'closed and merged (adjusted)',
    payload: () =>
      edited(first('pull_request', withAction('closed')), ['pull_request', 'merged'], true),
    status: 'success',
  },
  {
    event: 'pull_request',
    note: 'review_requested',
    payload: () => first('pull_request', withAction('review_requested')),
    status: 'success',
  },
  {
    event: 'pull_request_review',
    note: 'submitted, approving (adjusted)',
    payload: () =>
      edited(
        first('pull_request_review', withAction('submitted')),
        ['review', 'state'],
        'approved',
      ),
    status: 'success',
  },
  {
    event: 'pull_request_review_comment',
    note: 'created',
    payload: () => first('pull_request_review_comment', withAction('created')),
    status: 'success',
  },
  {
    event: 'issues',
    note: 'opened',
    payload: () => first('issues', withAction('opened')),
    status: 'success',
  },
  {
    event: 'issue_comment',
    note: 'created',
    payload: () => first('issue_comment', withAction('created')),
    status: 'success',
  },
  {
    event: 'release',
    note: 'published, with release notes (adjusted)',
    payload: () =>
      edited(
        first('release', withAction('published')),
        ['release', 'body'],
        "## What's changed\n- Faster start-up (#12)\n- Fix the README (#13)",
      ),
    status: 'success',
  },
  { event: 'create', payload: () => first('create'), status: 'success' },
  { event: 'delete', payload: () => first('delete'), status: 'success' },
  {
    event: 'workflow_run',
    note: 'completed, failed (adjusted)',
    payload: () =>
      edited(
        first(
          'workflow_run',
          (e) =>
            e.action === 'completed' && stringAt(e, 'workflow_run', 'conclusion') === 'success',
        ),
        ['workflow_run', 'conclusion'],
        'failure',
      ),
    status: 'failure',
  },
  {
    event: 'workflow_dispatch',
    note: 'with inputs (adjusted)',
    payload: () =>
      edited(first('workflow_dispatch'), ['inputs'], {
        environment: 'staging',
        debug: false,
        version: 'v1.2.3',
      }),
    status: 'success',
  },
  {
    event: 'schedule',
    note: 'from test/fixtures/schedule.json',
    payload: () => scheduleExample(),
    status: 'failure',
  },
  { event: 'deployment_status', payload: () => first('deployment_status'), status: 'success' },
  {
    event: 'check_run',
    note: 'completed',
    payload: () => first('check_run', withAction('completed')),
    status: 'failure',
  },
  {
    event: 'discussion',
    note: 'created',
    payload: () => first('discussion', withAction('created')),
    status: 'success',
  },
  {
    event: 'star',
    note: 'any other event: the generic message',
    payload: () => first('star'),
    status: 'cancelled',
  },
];

/** The hand-made `schedule` payload (the corpus has none). */
export function scheduleExample(): EventPayload {
  return JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../test/fixtures/schedule.json'), 'utf8'),
  );
}

export async function galleryMarkdown(): Promise<string> {
  const sections: string[] = [
    '# Gallery of built-in messages',
    '',
    'What the action posts when `message` is empty, rendered from the example payloads in',
    '[`@octokit/webhooks-examples`](https://github.com/octokit/webhooks) (`schedule` from',
    '`test/fixtures/schedule.json`). Each is shown as Markdown source, first without `status`, then',
    'with it (which adds the status line, and an attachment with the status colour to the post).',
    'Any event without a message of its own gets the generic one, shown last (`star`). Examples',
    'marked "adjusted" had a field changed to show a case the corpus has no example of.',
    '',
    'Generated by `npx tsx scripts/gallery.ts`; a test fails when this file is out of date.',
  ];
  for (const { event, note, payload: example, status } of SHOWN) {
    const payload = example();
    const plain = await renderMessage(undefined, contextFor(event, payload));
    const statusContext = contextFor(event, payload, { status });
    const withStatus = await renderMessage(undefined, statusContext);
    const attachment = JSON.stringify(statusAttachment(status, statusContext));
    sections.push(
      '',
      `## \`${event}\`${note ? ` — ${note}` : ''}`,
      '',
      fenced(plain),
      '',
      `With \`status: ${status}\` (and the attachment \`${attachment}\`):`,
      '',
      fenced(withStatus),
    );
  }
  return `${sections.join('\n')}\n`;
}

/** A fence longer than any backtick run in the text. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}markdown\n${text}\n${fence}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(galleryPath, await galleryMarkdown());
  console.log(`Wrote ${galleryPath}`);
}
