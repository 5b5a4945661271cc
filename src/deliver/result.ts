/** What delivery produces and shares between its modes: the content, the results, their labels. */
import type { Destination, DisplayOverrides } from '../config.js';
import type { LoginResolution } from '../github-users.js';

/** The rendered post, before it is cut to size and addressed. */
export interface PostContent {
  message: string;
  props: Record<string, unknown> | undefined;
  attachments: unknown[] | undefined;
  priority: Record<string, unknown> | undefined;
  type: string | undefined;
  display: DisplayOverrides;
}

export type DeliveryStatus = 'sent' | 'failed' | 'dry-run' | 'skipped';

export interface DeliveryResult {
  /** The input entry that named this destination, e.g. `@jo` or `dev/town-square`. */
  destination: string;
  status: DeliveryStatus;
  channelId: string;
  postId: string;
  /** The thread to reply to next: the post's root, or the post itself. */
  rootId: string;
  error: string;
}

export type ResolveLogins = (logins: string[]) => Promise<LoginResolution[]>;

/** The label of a delivery to the webhook's own channel, which the inputs do not name. */
export const WEBHOOK_CHANNEL = '(webhook channel)';

export function dryRunResults(destinations: Destination[], fallback: string): DeliveryResult[] {
  const entries = destinations.length > 0 ? destinations.map((d) => d.entry) : [fallback];
  return entries.map((destination) => result(destination, 'dry-run'));
}

/** One `skipped` entry per destination: `notify-on` decided not to post. */
export function skippedResults(destinations: Destination[], fallback: string): DeliveryResult[] {
  return dryRunResults(destinations, fallback).map((r) => ({ ...r, status: 'skipped' }));
}

export function result(
  destination: string,
  status: DeliveryStatus,
  fields: Partial<Omit<DeliveryResult, 'destination' | 'status'>> = {},
): DeliveryResult {
  return { destination, status, channelId: '', postId: '', rootId: '', error: '', ...fields };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
