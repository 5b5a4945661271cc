/**
 * `thread-key` delivery to one channel: find the thread's root (or open it), keep a `thread-root`
 * current, and post the message into the thread.
 */
import { randomBytes } from 'node:crypto';
import { type PostPartsRequest, postParts, postProps } from '../deliver/post-parts.js';
import type { MattermostApi, MattermostPost } from '../mattermost/api.js';
import { findThreadRoot } from './find-root.js';
import { rootPendingPostId, THREAD_KEY_PROP, THREAD_RUN_PROP } from './key.js';

/** The rendered thread inputs. */
export interface Thread {
  key: string;
  /** The rendered `thread-root`, already cut to one post; undefined: the message is the root. */
  root: string | undefined;
  lookbackDays: number;
}

export interface ThreadPosting {
  /** The first post of this run's message. */
  post: MattermostPost;
  rootId: string;
}

export async function deliverInThread(
  delivery: PostPartsRequest,
  thread: Thread,
  botId: string,
  channelId: string,
  parts: string[],
  now: number,
): Promise<ThreadPosting> {
  const { api } = delivery;
  const search = { api, channelId, botId, key: thread.key, lookbackDays: thread.lookbackDays, now };
  const { root: found } = await findThreadRoot(search);
  const run = randomBytes(8).toString('hex');
  const threadProps = { [THREAD_KEY_PROP]: thread.key, [THREAD_RUN_PROP]: run };
  const pendingPostId = rootPendingPostId(botId, channelId, thread.key);
  if (thread.root === undefined) {
    const opening = found
      ? undefined
      : {
          pendingPostId,
          props: threadProps,
          isOwn: (post: MattermostPost) => post.props?.[THREAD_RUN_PROP] === run,
        };
    const post = await postParts(delivery, botId, channelId, parts, found?.id, opening);
    return { post, rootId: post.root_id || post.id };
  }
  const root = found
    ? await keepRootCurrent(api, found, thread)
    : await api.createPost({
        channel_id: channelId,
        message: thread.root,
        pending_post_id: pendingPostId,
        // Display overrides apply to the root too; the payload's props and attachments do not.
        props: { ...postProps(delivery.content, false), ...threadProps },
      });
  // A root handed back by the de-duplication (another run's) is used the same way: reply to it.
  const post = await postParts(delivery, botId, channelId, parts, root.id);
  return { post, rootId: root.id };
}

/** Edits the root to the latest `thread-root`, keeping its props (and so its key). */
async function keepRootCurrent(
  api: MattermostApi,
  root: MattermostPost,
  thread: Thread,
): Promise<MattermostPost> {
  if (root.message === thread.root) return root;
  return api.patchPost(root.id, {
    message: thread.root,
    props: { ...root.props, [THREAD_KEY_PROP]: thread.key },
  });
}
