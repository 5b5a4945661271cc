/**
 * `notify-on`: whether this run posts. `change` compares with the previous completed run of the
 * same workflow on the same branch, triggered by the same event from the same repository
 * (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`, then
 * `GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs?branch=…&event=…&status=completed`);
 * a re-run compares with its own earlier attempts first
 * (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}`).
 */
import type { NotifyOn } from '../config.js';
import { type GitHubAccess, lookUp } from './github.js';
import type { Change } from './types.js';

/** How the run being reported ended; undefined when it could not be told. */
export type Outcome = 'success' | 'failure' | 'cancelled' | 'skipped' | undefined;

export interface PreviousRun {
  number: number;
  /** Set when it is an earlier attempt of the run being reported. */
  attempt?: number;
  conclusion: string;
}

/** The run whose outcome is reported, with what the event already says about it. */
export interface SubjectRun {
  id: number;
  workflowId?: number;
  branch?: string;
  number?: number;
  /** The event that triggered it: another event's runs on a branch of that name are not its history. */
  event?: string;
  /** `owner/name` its head branch is in: a fork's `main` is not this repository's. */
  headRepository?: string;
  /** Its attempt; 0 when not known. */
  attempt: number;
}

export type Decision = { post: true; change?: Change } | { post: false; reason: string };

const RED = new Set(['failure', 'timed_out', 'startup_failure']);
/** Runs that neither passed nor failed say nothing about the branch: look past them. */
const TELLING = new Set(['success', ...RED]);
/** One page of the branch's recent completed runs is enough to find the last telling one. */
const RUNS_LOOKED_AT = 20;

export function outcomeOf(status: string | undefined): Outcome {
  if (status === undefined || status === '') return undefined;
  if (status === 'success') return 'success';
  if (RED.has(status)) return 'failure';
  if (status === 'skipped') return 'skipped';
  return 'cancelled';
}

/**
 * `previous`: the last telling run before this one; `null` when there is none (a first run);
 * `undefined` when it could not be looked up, in which case the step posts rather than stay silent.
 */
export function decide(
  notifyOn: NotifyOn,
  outcome: Outcome,
  previous: PreviousRun | null | undefined,
): Decision {
  if (notifyOn === 'always' || outcome === undefined) return { post: true };
  if (notifyOn === 'failure') {
    if (outcome === 'failure' || outcome === 'cancelled') return { post: true };
    return { post: false, reason: `notify-on is failure and the run's status is ${outcome}` };
  }
  if (outcome === 'cancelled' || outcome === 'skipped') {
    return {
      post: false,
      reason: `notify-on is change and the run was ${outcome}, which neither breaks nor fixes it`,
    };
  }
  if (previous === undefined) return { post: true };
  if (previous === null) {
    return outcome === 'failure'
      ? { post: true, change: 'broke' }
      : {
          post: false,
          reason: 'notify-on is change and this first run of the workflow on the branch succeeded',
        };
  }
  const wasRed = RED.has(previous.conclusion);
  if (outcome === 'failure' && !wasRed) return { post: true, change: 'broke' };
  if (outcome === 'success' && wasRed) return { post: true, change: 'fixed' };
  const still = outcome === 'failure' ? 'still failing' : 'still passing';
  return {
    post: false,
    reason: `notify-on is change and the workflow is ${still} on the branch (run #${previous.number}${previous.attempt ? ` attempt ${previous.attempt}` : ''} ${wasRed ? 'failed' : 'succeeded'} too)`,
  };
}

/**
 * The last completed run before `subject` that passed or failed, or null when there is none. A
 * re-run's own earlier attempts come first: they are what the channel was last told about it.
 */
export async function previousRun(
  access: GitHubAccess,
  subject: SubjectRun,
): Promise<PreviousRun | null> {
  const github = await lookUp('this workflow run', 'actions: read', () => access.client());
  const where = { owner: access.owner, repo: access.repo };
  const known = { ...subject };
  const fill = (run: RunData) => {
    known.workflowId ??= run.workflow_id;
    known.branch ??= run.head_branch ?? '';
    known.number ??= run.run_number;
    known.event ??= run.event;
    known.headRepository ??= run.head_repository?.full_name;
  };
  for (let attempt = subject.attempt - 1; attempt >= 1; attempt--) {
    const earlier = await lookUp("this run's earlier attempt", 'actions: read', () =>
      github.rest.actions.getWorkflowRunAttempt({
        ...where,
        run_id: subject.id,
        attempt_number: attempt,
        request: access.request(),
      }),
    );
    const conclusion = earlier.data.conclusion ?? '';
    if (TELLING.has(conclusion)) return { number: earlier.data.run_number, attempt, conclusion };
    fill(earlier.data);
  }
  if (known.workflowId === undefined || known.branch === undefined) {
    const run = await lookUp('this workflow run', 'actions: read', () =>
      github.rest.actions.getWorkflowRun({
        ...where,
        run_id: subject.id,
        request: access.request(),
      }),
    );
    fill(run.data);
  }
  const runs = await lookUp("the workflow's previous runs", 'actions: read', () =>
    github.rest.actions.listWorkflowRuns({
      ...where,
      workflow_id: known.workflowId ?? 0,
      branch: known.branch,
      ...(known.event ? { event: known.event } : {}),
      status: 'completed',
      per_page: RUNS_LOOKED_AT,
      request: access.request(),
    }),
  );
  const headRepository = (known.headRepository ?? `${access.owner}/${access.repo}`).toLowerCase();
  const { number } = known;
  const before = runs.data.workflow_runs.find(
    (run) =>
      run.id !== subject.id &&
      (number === undefined || run.run_number < number) &&
      run.head_repository?.full_name?.toLowerCase() === headRepository &&
      TELLING.has(run.conclusion ?? ''),
  );
  return before ? { number: before.run_number, conclusion: before.conclusion ?? '' } : null;
}

/** The fields of a workflow run (GitHub's "workflow-run" schema) that place it in its history. */
interface RunData {
  workflow_id: number;
  head_branch: string | null;
  run_number: number;
  event: string;
  head_repository?: { full_name?: string } | null;
}
