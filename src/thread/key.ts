/** How a thread's root is recognised again: the key in its props, and a de-duplication id. */
import { createHash } from 'node:crypto';

/** The root's prop that holds the rendered `thread-key`, as it is (not hashed), for people to read. */
export const THREAD_KEY_PROP = 'mattermost_notify_thread';

/**
 * A random id per run, set on a root the run creates: a run that gets back a root without its own
 * id was handed another run's root by the server's de-duplication, and replies to it.
 */
export const THREAD_RUN_PROP = 'mattermost_notify_thread_run';

/**
 * The root's `pending_post_id`: the same for every run that opens this thread in this channel, so
 * two runs racing to create it get one post back from the server (which remembers the id 30 s).
 */
export function rootPendingPostId(botId: string, channelId: string, key: string): string {
  const digest = createHash('sha256').update(`${channelId}\n${key}`).digest('hex').slice(0, 32);
  return `${botId}:thread:${digest}`;
}
