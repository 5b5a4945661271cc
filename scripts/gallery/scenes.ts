/**
 * What the gallery shows, one scene per picture: each built-in message without and with a job
 * status, then a failed run and a thread. Each post is rendered from the current templates.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type EventPayload, stringAt } from '../../src/context.js';
import { createRenderer } from '../../src/template/engine.js';
import { type Attachment, renderMessage, statusAttachment } from '../../src/template/index.js';
import { builtInRoot } from '../../src/template/roots/index.js';
import { examplesOf } from '../../test/support/examples.js';
import { contextFor } from '../../test/template-helpers.js';
import { sampleFailedJobs } from './failed-jobs.js';

export interface GalleryPost {
  /** What the gallery says above the post's source, if anything. */
  caption: string;
  message: string;
  attachment?: Attachment;
  /** Shown as edited, as a thread root is once a later run updates it. */
  edited?: boolean;
  /** Emoji names the bot reacted with (`reactions`). */
  reactions?: string[];
}

export interface Scene {
  /** Its picture: docs/gallery/{id}.png. */
  id: string;
  heading: string;
  /** Said under the heading. */
  text?: string;
  /** `thread`: the first post is the root, the others its replies. */
  layout: 'channel' | 'thread';
  posts: GalleryPost[];
}

interface Shown {
  /** Its picture: docs/gallery/{id}.png. */
  id: string;
  event: string;
  /** What the heading says about the example, e.g. the action. */
  note?: string;
  payload: () => EventPayload;
  status: string;
  /** Give the context made-up failed jobs of the reported workflow run, as the look-ups would. */
  failedJobs?: boolean;
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
    id: 'push',
    event: 'push',
    payload: () => first('push', (e) => Array.isArray(e.commits) && e.commits.length > 0),
    status: 'success',
  },
  {
    id: 'pull_request-opened',
    event: 'pull_request',
    note: 'opened',
    payload: () => first('pull_request', withAction('opened')),
    status: 'success',
  },
  {
    id: 'pull_request-merged',
    event: 'pull_request',
    note: 'closed and merged (adjusted)',
    payload: () =>
      edited(first('pull_request', withAction('closed')), ['pull_request', 'merged'], true),
    status: 'success',
  },
  {
    id: 'pull_request-review_requested',
    event: 'pull_request',
    note: 'review_requested',
    payload: () => first('pull_request', withAction('review_requested')),
    status: 'success',
  },
  {
    id: 'pull_request_review-approved',
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
    id: 'pull_request_review_comment',
    event: 'pull_request_review_comment',
    note: 'created',
    payload: () => first('pull_request_review_comment', withAction('created')),
    status: 'success',
  },
  {
    id: 'issues-opened',
    event: 'issues',
    note: 'opened',
    payload: () => first('issues', withAction('opened')),
    status: 'success',
  },
  {
    id: 'issue_comment',
    event: 'issue_comment',
    note: 'created',
    payload: () => first('issue_comment', withAction('created')),
    status: 'success',
  },
  {
    id: 'release-published',
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
  { id: 'create', event: 'create', payload: () => first('create'), status: 'success' },
  { id: 'delete', event: 'delete', payload: () => first('delete'), status: 'success' },
  {
    id: 'workflow_run-failed',
    event: 'workflow_run',
    note: 'completed, failed (adjusted; failed jobs made up)',
    failedJobs: true,
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
    id: 'workflow_dispatch',
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
    id: 'schedule',
    event: 'schedule',
    note: 'from test/fixtures/schedule.json',
    payload: () => scheduleExample(),
    status: 'failure',
  },
  {
    id: 'deployment_status',
    event: 'deployment_status',
    payload: () => first('deployment_status'),
    status: 'success',
  },
  {
    id: 'check_run',
    event: 'check_run',
    note: 'completed',
    payload: () => first('check_run', withAction('completed')),
    status: 'failure',
  },
  {
    id: 'discussion',
    event: 'discussion',
    note: 'created',
    payload: () => first('discussion', withAction('created')),
    status: 'success',
  },
  {
    id: 'generic',
    event: 'star',
    note: 'any other event: the generic message',
    payload: () => first('star'),
    status: 'cancelled',
  },
];

/** The hand-made `schedule` payload (the corpus has none). */
export function scheduleExample(): EventPayload {
  return JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../../test/fixtures/schedule.json'), 'utf8'),
  );
}

/** Each built-in message from its example: first without `status`, then with it. */
async function builtInScene(shown: Shown): Promise<Scene> {
  const { id, event, note, payload: example, status } = shown;
  const payload = example();
  const jobs = shown.failedJobs
    ? { failed_jobs: sampleFailedJobs(stringAt(payload, 'workflow_run', 'html_url')) }
    : {};
  const plainContext = { ...contextFor(event, payload), ...jobs };
  const statusContext = { ...contextFor(event, payload, { status }), ...jobs };
  const attachment = statusAttachment(status, statusContext);
  return {
    id,
    heading: `\`${event}\`${note ? ` — ${note}` : ''}`,
    layout: 'channel',
    posts: [
      { caption: '', message: await renderMessage(undefined, plainContext) },
      {
        caption: `With \`status: ${status}\` (and the attachment \`${JSON.stringify(attachment)}\`):`,
        message: await renderMessage(undefined, statusContext),
        ...(attachment ? { attachment } : {}),
      },
    ],
  };
}

async function postFor(
  caption: string,
  event: string,
  payload: EventPayload,
  status = '',
): Promise<GalleryPost> {
  const context = contextFor(event, payload, { status });
  const attachment = status ? statusAttachment(status, context) : undefined;
  return {
    caption,
    message: await renderMessage(undefined, context),
    ...(attachment ? { attachment } : {}),
  };
}

/**
 * A push whose job failed, posted by the usual `if: always()` step with `status: ${{ job.status }}`:
 * the status line and the failed jobs, each with its failed step and first error.
 */
async function failureScene(): Promise<Scene> {
  const push = first('push', (e) => Array.isArray(e.commits) && e.commits.length > 0);
  const context = contextFor('push', push, { status: 'failure' });
  const attachment = statusAttachment('failure', context);
  const message = await renderMessage(undefined, {
    ...context,
    failed_jobs: sampleFailedJobs(context.links.run),
  });
  return {
    id: 'failure',
    heading: 'A failed run, with what failed',
    text: [
      'A `push` whose job failed, posted by a step with `if: always()` and',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, shown as written
      '`status: ${{ job.status }}`: under the status line, the failed jobs (`failed_jobs`), each',
      'with the step that failed and its first error annotation (a last `needs:` job with',
      '`status: workflow` reports the whole run the same way). The jobs are made up',
      '(`scripts/gallery/failed-jobs.ts`): the example payloads have none.',
    ].join('\n'),
    layout: 'channel',
    posts: [{ caption: '', message, ...(attachment ? { attachment } : {}) }],
  };
}

/** The built-in root (`thread-root: built-in`) as the event leaves it. */
async function rootFor(
  caption: string,
  event: string,
  payload: EventPayload,
): Promise<GalleryPost> {
  const root = await createRenderer(contextFor(event, payload), {}, 'thread-root').render(
    builtInRoot(event, payload),
    'built-in thread root',
  );
  return { caption, message: root.trim() };
}

/**
 * A pull request's life as one thread, as examples/pr-thread.yml posts it: the built-in root,
 * edited to the latest state and marked with the CI result's reaction, then each event's
 * message as a reply.
 */
async function threadScene(): Promise<Scene> {
  const opened = first('pull_request', withAction('opened'));
  const synchronize = first('pull_request', withAction('synchronize'));
  const review = edited(
    first('pull_request_review', withAction('submitted')),
    ['review', 'state'],
    'approved',
  );
  const merged = edited(
    first('pull_request', withAction('closed')),
    ['pull_request', 'merged'],
    true,
  );
  const root = await rootFor(
    'The root (`thread-root: built-in`), edited by the last run (the merge); the CI result added the reaction (`reactions: white_check_mark`):',
    'pull_request',
    merged,
  );
  return {
    id: 'thread',
    heading: 'A thread',
    text: [
      "A pull request's events in one thread, as [examples/pr-thread.yml](../examples/pr-thread.yml)",
      'posts them (`thread-key` per pull request, `thread-root: built-in`): the root shows the',
      "pull request's latest state, and each event's message is a reply.",
    ].join('\n'),
    layout: 'thread',
    posts: [
      { ...root, edited: true, reactions: ['white_check_mark'] },
      await postFor('A reply (`pull_request` opened):', 'pull_request', opened),
      await postFor(
        'A reply (`pull_request` synchronize, the CI result with `status: success`):',
        'pull_request',
        synchronize,
        'success',
      ),
      await postFor('A reply (`pull_request_review`, approved):', 'pull_request_review', review),
      await postFor('A reply (`pull_request` merged):', 'pull_request', merged),
    ],
  };
}

export async function scenes(): Promise<Scene[]> {
  const shown = await Promise.all(SHOWN.map(builtInScene));
  return [...shown, await failureScene(), await threadScene()];
}
