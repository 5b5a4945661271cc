/**
 * What a run's outcome is and what failed in it: the look-ups behind `status: workflow`,
 * `notify-on` and `failed_jobs`, made only when one is needed, concurrently where they can be.
 */
import type { JobStatus, NotifyOn, StatusInput } from '../config.js';
import { type GitHubContext, isRecord, stringAt } from '../context.js';
import { fetchFailureAnnotations } from './annotations.js';
import { type GitHubAccess, githubAccess, LookupDenied, type Permission } from './github.js';
import { failedStepOf, fetchRunJobs, hasFailed, type RunJob, stepUrl } from './jobs.js';
import {
  type Decision,
  decide,
  type Outcome,
  outcomeOf,
  type PreviousRun,
  previousRun,
  type SubjectRun,
} from './notify-on.js';
import type { FailedJob } from './types.js';
import { workflowStatus } from './workflow-status.js';

export type { Change, FailedAnnotation, FailedJob } from './types.js';

/** Failed jobs whose annotations are fetched (and that the built-in message lists). */
export const DETAILED_JOBS = 5;

export interface ExamineOptions {
  status: StatusInput | undefined;
  notifyOn: NotifyOn;
  github: GitHubContext;
  /** `RUNNER_NAME`: tells this step's own job among the run's jobs. */
  runnerName: string | undefined;
  githubToken: string | undefined;
  timeoutMs: number;
  dryRun: boolean;
}

export interface RunFindings {
  /** The job status the message reports (`workflow` resolved); undefined when unknown or not given. */
  status: JobStatus | undefined;
  decision: Decision;
  /** The outcome `notify-on` and `mention-on-failure` go by. */
  outcome: Outcome;
  failedJobs: FailedJob[];
  /** One line each, for notices: look-ups that were refused or failed, and what they cost. */
  problems: string[];
}

/** What is being reported: another run (a `workflow_run` event), or this one. */
interface Subject {
  run: SubjectRun;
  attempt: number;
  /** The outcome the event already tells, before any look-up. */
  outcome: Outcome;
  /** The event reports another run, so `status` is not its outcome. */
  other: boolean;
  /** The event reports another run that has not completed (requested, in progress): no outcome yet. */
  pending: boolean;
}

export async function examineRun(options: ExamineOptions): Promise<RunFindings> {
  const subject = subjectOf(options);
  const needsJobs =
    (!subject.other && options.status === 'workflow') || subject.outcome === 'failure';
  const mayNeedPrevious =
    options.notifyOn === 'change' &&
    subject.outcome !== 'cancelled' &&
    subject.outcome !== 'skipped' &&
    (subject.outcome !== undefined || needsJobs);
  const findings: RunFindings = {
    status: knownStatus(options.status, subject),
    decision: { post: true },
    outcome: subject.outcome,
    failedJobs: [],
    problems: [],
  };
  if (subject.pending && options.notifyOn !== 'always') {
    findings.decision = {
      post: false,
      reason: `notify-on is ${options.notifyOn} and the run has not completed`,
    };
    return findings;
  }
  if (options.dryRun && (needsJobs || mayNeedPrevious)) {
    findings.problems.push(
      'dry-run makes no request, so the GitHub look-ups (status: workflow, notify-on: change, failed jobs) are left out.',
    );
    findings.decision = decide(options.notifyOn, subject.outcome, undefined);
    return findings;
  }
  if (!needsJobs && !mayNeedPrevious) {
    findings.decision = decide(options.notifyOn, subject.outcome, undefined);
    return findings;
  }
  if (!options.githubToken) {
    findings.problems.push(
      'github-token is empty, so the GitHub look-ups (status: workflow, notify-on: change, failed jobs) are left out: leave github-token unset for the job token, or set it to a token that may read the run.',
    );
    findings.decision = decide(options.notifyOn, subject.outcome, undefined);
    return findings;
  }

  const access = githubAccess({
    token: options.githubToken,
    apiUrl: options.github.api_url,
    repository: options.github.repository,
    timeoutMs: options.timeoutMs,
  });
  const denied = new Map<Permission, Set<string>>();
  const attempt = <T>(promise: Promise<T>): Promise<T | undefined> => {
    return promise.catch((error: unknown) => {
      if (error instanceof LookupDenied) {
        const whats = denied.get(error.permission) ?? new Set();
        whats.add(`${error.what} (${error.status})`);
        denied.set(error.permission, whats);
      } else {
        findings.problems.push(
          `Could not look up ${error instanceof Error ? error.message : String(error)} on GitHub: the message goes without it.`,
        );
      }
      return undefined;
    });
  };

  const jobsLookup = needsJobs
    ? attempt(fetchRunJobs(access, subject.run.id, subject.attempt))
    : Promise.resolve(undefined);
  // A look-up left unanswered would hold the step open until its timeout: abort it once unneeded.
  const unneeded = new AbortController();
  const previousLookup = mayNeedPrevious
    ? attempt(
        previousRun(access.abortedBy(unneeded.signal), subject.run).catch((error: unknown) =>
          unneeded.signal.aborted ? undefined : Promise.reject(error),
        ),
      )
    : Promise.resolve(undefined);
  const jobs = await jobsLookup;

  if (!subject.other && options.status === 'workflow') {
    findings.status = jobs ? workflowStatus(jobs, options.runnerName) : undefined;
    findings.outcome = outcomeOf(findings.status);
  }
  // A previous run is only worth waiting for when the outcome can be compared with it.
  const previous: PreviousRun | null | undefined =
    findings.outcome === 'success' || findings.outcome === 'failure'
      ? await previousLookup
      : undefined;
  unneeded.abort();
  findings.decision = decide(options.notifyOn, findings.outcome, previous);
  if (findings.decision.post && findings.outcome === 'failure' && jobs) {
    findings.failedJobs = await describeFailedJobs(access, jobs.filter(hasFailed), attempt);
  }
  findings.problems.unshift(...deniedNotice(denied));
  return findings;
}

/**
 * The status before any look-up: the input's, except `workflow`, which is looked up, or for a
 * `workflow_run` event is the conclusion of the run it reports.
 */
function knownStatus(status: StatusInput | undefined, subject: Subject): JobStatus | undefined {
  if (status !== 'workflow') return status;
  return subject.other ? subject.outcome : undefined;
}

function subjectOf(options: ExamineOptions): Subject {
  const { github } = options;
  const run = github.event.workflow_run;
  if (github.event_name === 'workflow_run' && isRecord(run) && typeof run.id === 'number') {
    const conclusion = stringAt(run, 'conclusion');
    const completed =
      stringAt(github.event, 'action') === 'completed' || stringAt(run, 'status') === 'completed';
    return {
      run: {
        id: run.id,
        workflowId: typeof run.workflow_id === 'number' ? run.workflow_id : undefined,
        branch: typeof run.head_branch === 'string' ? run.head_branch : undefined,
        number: typeof run.run_number === 'number' ? run.run_number : undefined,
        event: stringAt(run, 'event') || undefined,
        headRepository: stringAt(run, 'head_repository', 'full_name') || undefined,
        attempt: typeof run.run_attempt === 'number' ? run.run_attempt : 0,
      },
      attempt: typeof run.run_attempt === 'number' ? run.run_attempt : 0,
      outcome: completed ? outcomeOf(conclusion) : undefined,
      other: true,
      pending: !completed,
    };
  }
  const status = options.status === 'workflow' ? undefined : options.status;
  const attempt = Number(github.run_attempt) || 0;
  return {
    run: { id: Number(github.run_id) || 0, event: github.event_name || undefined, attempt },
    attempt,
    outcome: outcomeOf(status),
    other: false,
    pending: false,
  };
}

/** The failed jobs in the order GitHub lists them; the first few with their annotations, fetched at once. */
async function describeFailedJobs(
  access: GitHubAccess,
  failed: RunJob[],
  attempt: <T>(promise: Promise<T>) => Promise<T | undefined>,
): Promise<FailedJob[]> {
  const annotations = await Promise.all(
    failed.slice(0, DETAILED_JOBS).map((job) => attempt(fetchFailureAnnotations(access, job.id))),
  );
  return failed.map((job, index): FailedJob => {
    const step = failedStepOf(job);
    const notes = annotations[index];
    return {
      name: job.name,
      url: job.url,
      conclusion: job.status === 'completed' ? (job.conclusion ?? 'failure') : 'failure',
      step: step?.name ?? '',
      step_url: stepUrl(job, step),
      annotations: notes?.annotations ?? [],
      more_annotations: notes?.more ?? 0,
    };
  });
}

/** One line naming the permissions the token lacked and the YAML that grants them. */
function deniedNotice(denied: Map<Permission, Set<string>>): string[] {
  if (denied.size === 0) return [];
  const whats = [...denied.values()].flatMap((set) => [...set]);
  const permissions = [...denied.keys()].sort();
  return [
    `GitHub did not let github-token read ${whats.join(', ')}: the message goes without those details. Grant ${permissions.join(' and ')} to the job: permissions: { ${permissions.join(', ')} } (and any others it needs, such as contents: read).`,
  ];
}
