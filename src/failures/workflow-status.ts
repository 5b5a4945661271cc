/** `status: workflow`: how the run stands so far, from its other jobs. */
import type { JobStatus } from '../config.js';
import { hasFailed, type RunJob } from './jobs.js';

/**
 * `failure` if any other job failed, else `cancelled` if any was cancelled, else `success`.
 * Jobs still queued or running without a failed step have no outcome yet and do not count.
 */
export function workflowStatus(jobs: RunJob[], runnerName: string | undefined): JobStatus {
  const others = jobs.filter((job) => !isCurrentJob(job, runnerName));
  if (others.some(hasFailed)) return 'failure';
  if (others.some((job) => job.status === 'completed' && job.conclusion === 'cancelled')) {
    return 'cancelled';
  }
  return 'success';
}

/**
 * This step's own job. `GITHUB_JOB` is the job's key in the workflow, which the jobs API does not
 * return (it shows the display name, with matrix values); what identifies it is that it is still
 * running, on this runner (`RUNNER_NAME`). Without a runner name, every running job may be this one.
 */
export function isCurrentJob(job: RunJob, runnerName: string | undefined): boolean {
  if (job.status === 'completed') return false;
  return !runnerName || !job.runnerName || job.runnerName === runnerName;
}
