/** The built-in message for each event: Liquid sources, parsed only when used. */
import { checkRun } from './check_run.js';
import { create } from './create.js';
import { deleteRef } from './delete.js';
import { deploymentStatus } from './deployment_status.js';
import { discussion } from './discussion.js';
import { generic } from './generic.js';
import { issueComment } from './issue_comment.js';
import { issues } from './issues.js';
import { pullRequest } from './pull_request.js';
import { pullRequestReview } from './pull_request_review.js';
import { pullRequestReviewComment } from './pull_request_review_comment.js';
import { push } from './push.js';
import { release } from './release.js';
import { schedule } from './schedule.js';
import { statusLine } from './status.js';
import { workflowDispatch } from './workflow_dispatch.js';
import { workflowRun } from './workflow_run.js';

export const builtInMessages: ReadonlyMap<string, string> = new Map([
  ['push', push],
  ['pull_request', pullRequest],
  ['pull_request_target', pullRequest],
  ['pull_request_review', pullRequestReview],
  ['pull_request_review_comment', pullRequestReviewComment],
  ['issues', issues],
  ['issue_comment', issueComment],
  ['release', release],
  ['create', create],
  ['delete', deleteRef],
  ['workflow_run', workflowRun],
  ['workflow_dispatch', workflowDispatch],
  ['schedule', schedule],
  ['deployment_status', deploymentStatus],
  ['check_run', checkRun],
  ['discussion', discussion],
]);

/** The Liquid source of the built-in message for an event: the status line, then the event's own lines. */
export function builtInMessage(eventName: string): string {
  return statusLine + (builtInMessages.get(eventName) ?? generic);
}
