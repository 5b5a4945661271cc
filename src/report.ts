/** What the step reports back: the `posts` output, the step summary and the failure line. */
import type { Connection } from './config.js';
import type { DeliveryResult } from './deliver/result.js';
import { quotedForGitHub } from './github-markdown.js';

/** The label of a dry run's only row when no connection and no destination was given. */
export const NO_DESTINATION = '(no destination given)';

/** Where a dry run would have sent the message: a line under the summary's table. */
export function dryRunTarget(connection: Connection): string {
  switch (connection.mode) {
    case 'webhook':
      return 'Dry run: this would have been posted through the incoming webhook (webhook-url), to the destinations above.';
    case 'api':
      return `Dry run: this would have been posted as the bot to ${connection.serverUrl}, to the destinations above.`;
    case 'none':
      return 'Dry run without a connection: no webhook-url, server-url or token was given, so nothing could have been sent. Give them (or MATTERMOST_URL and MATTERMOST_TOKEN) to post.';
  }
}

export function postsOutput(results: DeliveryResult[]): string {
  return JSON.stringify(
    results.map((r) => ({
      destination: r.destination,
      channel_id: r.channelId,
      post_id: r.postId,
      root_id: r.rootId,
      status: r.status,
      error: r.error,
    })),
  );
}

/** One line per failed destination; the same error for every destination is said once. */
export function failureReport(results: DeliveryResult[]): string | undefined {
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length === 0) return undefined;
  const errors = new Set(failed.map((r) => r.error));
  const [onlyError] = errors;
  if (errors.size === 1 && failed.length === results.length && onlyError) return onlyError;
  const lines = failed.map((r) => `- ${r.destination}: ${r.error}`);
  return [
    `Could not deliver to ${failed.length} of ${results.length} destinations:`,
    ...lines,
  ].join('\n');
}

/**
 * The step summary: the message as GitHub can show it, its Markdown source, and one row per
 * destination with a permalink to its post. A dry run says first that nothing was sent; a
 * skipped run says why in the heading.
 */
export function summaryMarkdown(
  message: string,
  results: DeliveryResult[],
  serverUrl: string | undefined,
  dryRun: boolean,
  skipped?: string,
): string {
  const heading = skipped
    ? `### Mattermost message (not sent: ${skipped})`
    : dryRun
      ? '### Mattermost message (dry run: not sent)'
      : '### Mattermost message';
  const notice =
    dryRun && !skipped
      ? [
          '**Dry run: nothing was sent.** The message was rendered and the inputs checked; no request was made to Mattermost.',
          '',
        ]
      : [];
  const rows = results.map((r) => {
    const link =
      serverUrl && r.postId ? `[${r.postId}](${serverUrl}/_redirect/pl/${r.postId})` : '';
    return `| ${cell(r.destination)} | ${STATUS_LABELS[r.status]} | ${link} | ${cell(r.error)} |`;
  });
  return [
    heading,
    '',
    ...notice,
    quotedForGitHub(message),
    '',
    '<details><summary>Markdown source</summary>',
    '',
    fenced(message),
    '',
    '</details>',
    '',
    '| Destination | Status | Post | Error |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

const STATUS_LABELS: Record<DeliveryResult['status'], string> = {
  sent: '✅ sent',
  failed: '❌ failed',
  'dry-run': '📝 dry run',
  skipped: '⏭️ skipped',
};

/** A Markdown table cell that the value cannot break. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The message shown as its source, in a fence longer than any backtick run inside it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}markdown\n${text}\n${fence}`;
}
