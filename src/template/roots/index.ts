/** `thread-root: built-in`: the root post for each kind of thread, as Liquid sources. */
import type { EventPayload } from '../../context.js';
import { deploymentRoot } from './deployment.js';
import { genericRoot } from './generic.js';
import { issuesRoot } from './issues.js';
import { pullRequestRoot } from './pull_request.js';
import { releaseRoot } from './release.js';

const ROOTS: ReadonlyMap<string, string> = new Map([
  ['pull_request', pullRequestRoot],
  ['pull_request_target', pullRequestRoot],
  ['pull_request_review', pullRequestRoot],
  ['pull_request_review_comment', pullRequestRoot],
  ['issues', issuesRoot],
  ['release', releaseRoot],
  ['deployment', deploymentRoot],
  ['deployment_status', deploymentRoot],
]);

/** A comment on a pull request comes as `issue_comment` with `issue.pull_request` set. */
export function builtInRoot(eventName: string, event: EventPayload): string {
  if (eventName === 'issue_comment') {
    const issue = event.issue as { pull_request?: unknown } | undefined;
    return issue?.pull_request ? pullRequestRoot : issuesRoot;
  }
  return ROOTS.get(eventName) ?? genericRoot;
}
