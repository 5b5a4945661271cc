/**
 * Failed jobs as the failure look-ups give them to templates (`failed_jobs`), made up for the
 * gallery and the emoji check: the example payloads carry no jobs.
 */
import type { FailedJob } from '../../src/failures/types.js';

export function sampleFailedJobs(runUrl: string): FailedJob[] {
  return [
    {
      name: 'test (ubuntu-latest, 24)',
      url: `${runUrl}/job/4721`,
      conclusion: 'failure',
      step: 'Run npm test',
      step_url: `${runUrl}/job/4721#step:5:1`,
      annotations: [
        { path: 'test/split.test.ts', line: 42, message: 'AssertionError: expected 3 to be 2' },
      ],
      more_annotations: 0,
    },
    {
      name: 'lint',
      url: `${runUrl}/job/4722`,
      conclusion: 'failure',
      step: 'Run npm run lint',
      step_url: `${runUrl}/job/4722#step:4:1`,
      annotations: [],
      more_annotations: 0,
    },
    {
      name: 'e2e',
      url: `${runUrl}/job/4723`,
      conclusion: 'timed_out',
      step: '',
      step_url: `${runUrl}/job/4723`,
      annotations: [],
      more_annotations: 0,
    },
  ];
}
