/**
 * `thread-key` delivery to one channel: find the thread's root (or open it), keep a `thread-root`
 * current, and post the message into the thread.
 */
import { randomBytes } from 'node:crypto';
import { type PostPartsRequest, postParts, postProps } from '../deliver/post-parts.js';
import { ActionError } from '../errors.js';
import type { MattermostApi, MattermostPost } from '../mattermost/api.js';
import { findThreadRoot, MAX_ROOT_PAGES, ROOT_PAGE_SIZE } from './find-root.js';
import { rootPendingPostId, THREAD_KEY_PROP, THREAD_RUN_PROP } from './key.js';

/** The rendered thread inputs. */
export interface Thread {
  key: string;
  /** The rendered `thread-root`, already cut to one post; undefined: the message is the root. */
  root: string | undefined;
  lookbackDays: number;
  /** Told when the search stopped at its bound without finding the root. */
  notice?: (message: string) => void;
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
  const { root: found, gaveUp } = await findThreadRoot(search);
  if (gaveUp) {
    thread.notice?.(
      `thread-key: no root for "${thread.key}" among the newest ${MAX_ROOT_PAGES * ROOT_PAGE_SIZE} root posts of channel ${channelId}, so a new thread starts there.`,
    );
  }
  const run = randomBytes(8).toString('hex');
  const threadProps = { [THREAD_KEY_PROP]: thread.key, [THREAD_RUN_PROP]: run };
  const derivedId = rootPendingPostId(botId, channelId, thread.key);
  if (thread.root === undefined) {
    const post = found
      ? await postParts(delivery, botId, channelId, parts, found.id)
      : await opening(derivedId, (pendingPostId) =>
          postParts(delivery, botId, channelId, parts, undefined, {
            pendingPostId,
            props: threadProps,
            isOwn: (created) => created.props?.[THREAD_RUN_PROP] === run,
          }),
        );
    return { post, rootId: post.root_id || post.id };
  }
  const rootText = thread.root;
  const root = found
    ? await keepRootCurrent(api, found, thread)
    : await opening(derivedId, (pendingPostId) =>
        api.createPost({
          channel_id: channelId,
          message: rootText,
          pending_post_id: pendingPostId,
          // Display overrides apply to the root too; the payload's props and attachments do not.
          props: { ...postProps(delivery.content, false), ...threadProps },
        }),
      );
  // A root handed back by the de-duplication (another run's) is used the same way: reply to it.
  const post = await postParts(delivery, botId, channelId, parts, root.id);
  return { post, rootId: root.id };
}

/**
 * Creates a root with the derived pending_post_id. Within the server's 30 s a root of the same key
 * that was deleted meanwhile blocks that id (500 `deduplicate_create_post.failed_to_get`,
 * app/post.go deduplicateCreatePost): then a second derived id, the same for every run.
 */
async function opening<T>(
  derivedId: string,
  create: (pendingPostId: string) => Promise<T>,
): Promise<T> {
  try {
    return await create(derivedId);
  } catch (error) {
    if (!(error instanceof ActionError) || error.server?.id !== DELETED_ROOT_ID) throw error;
    return create(`${derivedId}:2`);
  }
}

const DELETED_ROOT_ID = 'api.post.deduplicate_create_post.failed_to_get';

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
