/**
 * The jobs of one run attempt (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{n}/jobs`,
 * every page), and which of them failed and at which step.
 */
import { type GitHubAccess, lookUp } from './github.js';

export interface RunJob {
  id: number;
  /** As GitHub shows it, matrix values included. */
  name: string;
  status: string;
  conclusion: string | null;
  url: string;
  runnerName: string | null;
  steps: RunStep[];
}

export interface RunStep {
  name: string;
  number: number;
  conclusion: string | null;
}

/** Conclusions that GitHub shows as a failed job. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

/** `attempt` 0 (unknown): the run's latest attempt. */
export async function fetchRunJobs(
  access: GitHubAccess,
  runId: number,
  attempt: number,
): Promise<RunJob[]> {
  return lookUp("this run's jobs", 'actions: read', async () => {
    const github = await access.client();
    const where = { owner: access.owner, repo: access.repo, run_id: runId, per_page: 100 };
    const jobs =
      attempt > 0
        ? await github.paginate(github.rest.actions.listJobsForWorkflowRunAttempt, {
            ...where,
            attempt_number: attempt,
            request: access.request(),
          })
        : await github.paginate(github.rest.actions.listJobsForWorkflowRun, {
            ...where,
            filter: 'latest',
            request: access.request(),
          });
    return jobs.map(
      (job): RunJob => ({
        id: job.id,
        name: job.name,
        status: job.status,
        conclusion: job.conclusion,
        url: job.html_url ?? '',
        runnerName: job.runner_name,
        steps: (job.steps ?? []).map((step) => ({
          name: step.name,
          number: step.number,
          conclusion: step.conclusion,
        })),
      }),
    );
  });
}

/**
 * A job that failed: one that concluded so, or one still running (the job of this very step, say)
 * whose steps have already failed.
 */
export function hasFailed(job: RunJob): boolean {
  if (job.status === 'completed') return FAILED.has(job.conclusion ?? '');
  return failedStepOf(job) !== undefined;
}

export function failedStepOf(job: RunJob): RunStep | undefined {
  return job.steps.find((step) => FAILED.has(step.conclusion ?? ''));
}

/** The job's log opened at a step: the anchor GitHub's own log page uses. */
export function stepUrl(job: RunJob, step: RunStep | undefined): string {
  return step && job.url ? `${job.url}#step:${step.number}:1` : job.url;
}
