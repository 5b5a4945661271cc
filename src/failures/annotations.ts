/** The first failure-level annotations of a job (`GET /repos/{owner}/{repo}/check-runs/{id}/annotations`). */
import { type GitHubAccess, lookUp } from './github.js';
import type { FailedAnnotation } from './types.js';

/** Annotations shown per job: enough to say what broke, few enough for a notification. */
export const ANNOTATIONS_PER_JOB = 3;

export interface JobAnnotations {
  annotations: FailedAnnotation[];
  /** Failure-level annotations beyond the ones kept. */
  more: number;
}

/** A job's id is its check run's id, so its annotations are the check run's. */
export async function fetchFailureAnnotations(
  access: GitHubAccess,
  jobId: number,
): Promise<JobAnnotations> {
  return lookUp("the jobs' annotations", 'checks: read', async () => {
    const github = await access.client();
    const all = await github.paginate(github.rest.checks.listAnnotations, {
      owner: access.owner,
      repo: access.repo,
      check_run_id: jobId,
      per_page: 100,
      request: access.request(),
    });
    const failures = all
      .filter((a) => a.annotation_level === 'failure' && !isExitCodeNote(a.message ?? ''))
      .map(
        (a): FailedAnnotation => ({
          path: a.path === '.github' ? '' : a.path,
          line: a.start_line,
          message: (a.message ?? a.title ?? '').trim(),
        }),
      );
    return {
      annotations: failures.slice(0, ANNOTATIONS_PER_JOB),
      more: Math.max(failures.length - ANNOTATIONS_PER_JOB, 0),
    };
  });
}

/** The runner's own "Process completed with exit code 1." says no more than the failed step does. */
function isExitCodeNote(message: string): boolean {
  return /^Process completed with exit code \d+\.?$/.test(message.trim());
}
