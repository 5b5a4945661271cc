/**
 * Every branch of every built-in message, reached with a payload made from the event's first
 * example (the corpus lacks many: `issues` `closed`, most check conclusions...), must link the
 * thing it is about. The branches are read from the templates themselves, so a branch added
 * without a case here fails the coverage test.
 */
import { describe, expect, it } from 'vitest';
import { scheduleExample } from '../scripts/gallery.js';
import { type EventPayload, stringAt } from '../src/context.js';
import { renderMessage } from '../src/template/index.js';
import { builtInMessages } from '../src/template/messages/index.js';
import { exampleOf } from './support/examples.js';
import { structureOf } from './support/mattermost-markdown.js';
import { contextFor, linkTargets } from './template-helpers.js';

/** A change to the example: dotted path → value. */
type Change = Record<string, unknown>;

/** Per event, the field a message chooses its wording by (besides `action`), and what it needs around it. */
const CHOICES: Record<string, { path: string; with?: Change }> = {
  check_run: {
    path: 'check_run.conclusion',
    with: { action: 'completed', 'check_run.status': 'completed' },
  },
  workflow_run: { path: 'workflow_run.conclusion', with: { action: 'completed' } },
  deployment_status: { path: 'deployment_status.state' },
  pull_request_review: { path: 'review.state', with: { action: 'submitted' } },
  issues: { path: 'issue.state_reason', with: { action: 'closed' } },
};

/** Branches that are not an action or the choice field above. */
const EXTRA: Record<string, Change[]> = {
  pull_request: [
    { action: 'closed', 'pull_request.merged': true },
    { action: 'closed', 'pull_request.merged': false },
    { action: 'review_requested', requested_team: { name: 'core' } },
  ],
  check_run: [
    { action: 'created', 'check_run.status': 'in_progress' },
    { action: 'created', 'check_run.status': 'queued' },
  ],
  push: [
    { deleted: true, created: false },
    { deleted: false, created: true, commits: [] },
    { deleted: false, created: false, commits: [], forced: true },
    { deleted: false, created: false },
  ],
  release: [{ 'release.prerelease': true }, { 'release.prerelease': false, 'release.draft': true }],
};

function withChange(payload: EventPayload, change: Change): EventPayload {
  const copy = structuredClone(payload);
  for (const [path, value] of Object.entries(change)) {
    const keys = path.split('.');
    const last = keys.pop() ?? '';
    let at: Record<string, unknown> = copy;
    for (const key of keys) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    at[last] = value;
  }
  return copy;
}

/** The quoted values a template compares against: `when "a" or "b"`, `== "c"`. */
function branchValues(source: string): string[] {
  const values = new Set<string>();
  for (const [, list = ''] of source.matchAll(/\{%-?\s*when\s+([^%]+)%\}/g)) {
    for (const [, value = ''] of list.matchAll(/"([^"]*)"/g)) values.add(value);
  }
  for (const [, value = ''] of source.matchAll(/(?:==|!=)\s*"([^"]*)"/g)) values.add(value);
  return [...values];
}

function baseOf(event: string): EventPayload {
  return event === 'schedule' ? scheduleExample() : structuredClone(exampleOf(event));
}

/** The page the message is about, which it must link; the repository where the thing is gone. */
function thingLink(event: string, payload: EventPayload, repo: string, run: string): string {
  const at = (...path: string[]) => stringAt(payload, ...path);
  switch (event) {
    case 'push':
      if (payload.deleted) return repo;
      if (Array.isArray(payload.commits) && payload.commits.length > 0) return at('compare');
      return payload.created ? at('head_commit', 'url') : at('compare');
    case 'pull_request':
      return at('pull_request', 'html_url');
    case 'pull_request_review':
      return at('review', 'html_url');
    case 'pull_request_review_comment':
    case 'issue_comment':
      return at('comment', 'html_url');
    case 'issues':
      return at('issue', 'html_url');
    case 'release':
      return payload.action === 'deleted' ? repo : at('release', 'html_url');
    case 'workflow_run':
      return at('workflow_run', 'html_url');
    case 'check_run':
      return at('check_run', 'html_url');
    case 'discussion':
      return at('discussion', 'html_url');
    case 'create':
      return `${repo}/tree/${at('ref')}`;
    case 'deployment_status':
      return `${repo}/commit/${at('deployment', 'sha')}`;
    case 'delete':
      return repo;
    default:
      return run;
  }
}

const cases = [...builtInMessages].flatMap(([event, source]) => {
  const name = event === 'pull_request_target' ? 'pull_request' : event;
  const choice = CHOICES[name];
  const values = branchValues(source);
  const changes: Change[] = [
    {},
    { action: 'some_new_action' },
    ...values.map((value) => ({ action: value })),
    ...(choice
      ? [...values, 'something_else'].map((value) => ({ ...choice.with, [choice.path]: value }))
      : []),
    ...(EXTRA[name] ?? []),
  ];
  return changes.map((change) => ({
    event,
    name,
    change,
    label: `${event} ${JSON.stringify(change)}`,
  }));
});

describe('every branch of every built-in message', () => {
  it('has a case for every value the templates compare against', () => {
    for (const [event, source] of builtInMessages) {
      const covered = new Set(
        cases
          .filter((c) => c.event === event)
          .flatMap((c) => Object.values(c.change).filter((v) => typeof v === 'string')),
      );
      for (const value of branchValues(source)) {
        if (value !== '') expect(covered, `${event} "${value}"`).toContain(value);
      }
    }
  });

  it.each(cases)('$label links what it is about', async ({ event, name, change }) => {
    const payload = withChange(baseOf(name), change);
    const context = contextFor(event, payload);
    const message = await renderMessage(undefined, context);
    const where = `${event} ${JSON.stringify(change)}:\n${message}`;
    const expected = thingLink(name, payload, context.links.repo, context.links.run);
    expect(expected, where).not.toBe('');
    const targets = linkTargets(message);
    expect(
      targets.some((t) => t === expected || decodeURI(t) === expected),
      where,
    ).toBe(true);
    expect(targets, where).toContain(context.links.repo);
    // Mattermost's parser sees the same links: none of them lost to the text around.
    expect(structureOf(message).filter((n) => n.startsWith('link')).length, where).toBe(
      targets.length,
    );
  });

  it('issues closed links the issue, as completed and as not planned', async () => {
    for (const reason of ['completed', 'not_planned']) {
      const payload = withChange(baseOf('issues'), {
        action: 'closed',
        'issue.state_reason': reason,
      });
      const message = await renderMessage(undefined, contextFor('issues', payload));
      expect(message).toMatch(
        new RegExp(
          `^:closed_book: .* closed issue \\[#\\d+ [^\\]]+\\]\\(${stringAt(payload, 'issue', 'html_url').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) as ${reason.replace('_', ' ')} in `,
        ),
      );
    }
  });
});
