/** The coloured attachment a post gets when the `status` input is given. */
import type { TemplateContext } from './engine.js';

export interface Attachment {
  fallback: string;
  color: string;
  [field: string]: unknown;
}

const STATUS_LOOK: ReadonlyMap<string, { color: string; outcome: string }> = new Map([
  ['success', { color: 'good', outcome: 'succeeded' }],
  ['failure', { color: 'danger', outcome: 'failed' }],
  ['cancelled', { color: '#808080', outcome: 'was cancelled' }],
  ['skipped', { color: '#808080', outcome: 'was skipped' }],
]);

/**
 * `{color, fallback}` for a job status, e.g. `CI #42 succeeded on octo-org/hello-world`; undefined
 * for '' or an unknown status. The fallback is plain text: notifications show it as it is.
 */
export function statusAttachment(status: string, context: TemplateContext): Attachment | undefined {
  const look = STATUS_LOOK.get(status.trim().toLowerCase());
  if (!look) return undefined;
  const { workflow, run_number: runNumber, repository } = context.github;
  const run = `${workflow || 'Workflow run'}${runNumber ? ` #${runNumber}` : ''}`;
  const where = repository ? ` on ${repository}` : '';
  return { color: look.color, fallback: `${run} ${look.outcome}${where}`.replace(/\s+/g, ' ') };
}
