/** What the failure look-ups give templates: `failed_jobs`, as the contract names its fields. */

export interface FailedAnnotation {
  path: string;
  line: number;
  message: string;
}

export interface FailedJob {
  /** As GitHub shows it, matrix values included: `test (ubuntu-latest, 20)`. */
  name: string;
  /** The job's log page. */
  url: string;
  conclusion: string;
  /** The first step that failed; '' when no step did (e.g. the job timed out or never started). */
  step: string;
  /** The log page opened at that step. */
  step_url: string;
  /** The first few failure-level annotations. */
  annotations: FailedAnnotation[];
  /** How many failure-level annotations there were beyond `annotations`. */
  more_annotations: number;
}

/** Whether the outcome differs from the previous completed run on the branch (`notify-on: change`). */
export type Change = 'broke' | 'fixed';
