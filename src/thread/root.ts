/**
 * `thread-key` delivery to one channel: find the thread's root (or open it), keep a `thread-root`
 * current, and post the message into the thread. Posting the message itself is the caller's
 * (`postMessage`), so this module needs nothing from delivery.
 */
import { randomBytes } from 'node:crypto';
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
}

/** The first post opens a `thread-key` thread: a derived `pending_post_id`, the key's props. */
export interface ThreadOpening {
  pendingPostId: string;
  props: Record<string, unknown>;
  /** False when the server handed back another run's root for the same pending_post_id. */
  isOwn(post: MattermostPost): boolean;
}

/** One destination channel of a thread, and what a root this run creates carries. */
export interface ThreadRequest {
  api: MattermostApi;
  thread: Thread;
  botId: string;
  channelId: string;
  /** Display overrides for a `thread-root` post (the payload's props go on the message). */
  rootProps: Record<string, unknown> | undefined;
  /** The payload's priority: Mattermost takes it on a root only, so only a new root gets it. */
  priority: Record<string, unknown> | undefined;
  now: number;
}

/** Posts this run's message: as a reply to `rootId`, or, without one, opening the thread. */
export type PostMessage = (
  rootId: string | undefined,
  opening?: ThreadOpening,
) => Promise<MattermostPost>;

export interface ThreadPosting {
  /** The first post of this run's message. */
  post: MattermostPost;
  rootId: string;
}

export async function deliverInThread(
  request: ThreadRequest,
  postMessage: PostMessage,
  log: (message: string) => void,
): Promise<ThreadPosting> {
  const { api, thread, botId, channelId } = request;
  const search = { api, channelId, botId, key: thread.key, lookbackDays: thread.lookbackDays };
  const { root: found, gaveUp } = await findThreadRoot({ ...search, now: request.now });
  if (gaveUp) {
    log(
      `thread-key: no root for "${thread.key}" among the newest ${MAX_ROOT_PAGES * ROOT_PAGE_SIZE} root posts of channel ${channelId}, so a new thread starts there.`,
    );
  }
  const run = randomBytes(8).toString('hex');
  const isOwn = (post: MattermostPost) => post.props?.[THREAD_RUN_PROP] === run;
  const threadProps = { [THREAD_KEY_PROP]: thread.key, [THREAD_RUN_PROP]: run };
  const derivedId = rootPendingPostId(botId, channelId, thread.key);
  const priorityLost = () => {
    if (request.priority) log(priorityNotice(thread.key, channelId));
  };
  if (thread.root === undefined) {
    const post = found
      ? await postMessage(found.id)
      : await opening(derivedId, (pendingPostId) =>
          postMessage(undefined, { pendingPostId, props: threadProps, isOwn }),
        );
    // A reply: the root was there already, or another run opened it a moment before.
    if (post.root_id) priorityLost();
    return { post, rootId: post.root_id || post.id };
  }
  const rootText = thread.root;
  const opened =
    found ??
    (await opening(derivedId, (pendingPostId) =>
      api.createPost({
        channel_id: channelId,
        message: rootText,
        pending_post_id: pendingPostId,
        props: { ...request.rootProps, ...threadProps },
        ...(request.priority ? { metadata: { priority: request.priority } } : {}),
      }),
    ));
  let root = opened;
  // A root found, or handed back by the de-duplication (another run's, which may show an older
  // state), is brought up to this run's text.
  if (found || !isOwn(opened)) {
    priorityLost();
    root = await keepRootCurrent(api, opened, thread);
  }
  const post = await postMessage(root.id);
  return { post, rootId: root.id };
}

function priorityNotice(key: string, channelId: string): string {
  return `thread-key: the payload's priority was not applied: thread "${key}" in channel ${channelId} has its root already, and Mattermost takes a priority only on a thread's root post.`;
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
    if (!blocksDerivedId(error)) throw error;
    return create(`${derivedId}:2`);
  }
}

const PENDING_ID = 'api.post.deduplicate_create_post.pending';

/**
 * A 500 that is not the "still being saved" answer: the deleted root's `failed_to_get`, or, from
 * a hardened server that blanks the id of every 5xx (server-facts §4), a 500 the retries did not
 * get past.
 */
function blocksDerivedId(error: unknown): boolean {
  return (
    error instanceof ActionError && error.server?.status === 500 && error.server.id !== PENDING_ID
  );
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
