/** API mode: look up, open DMs, post (or edit); every destination is tried. */
import { randomBytes } from 'node:crypto';
import type { Destination, Reaction } from '../config.js';
import { ActionError } from '../errors.js';
import {
  DEFAULT_MAX_POST_SIZE,
  type MattermostApi,
  type MattermostPost,
  type MattermostUser,
  type UploadFile,
} from '../mattermost/api.js';
import { applyReactions } from '../reactions.js';
import { runeLength, splitMessage } from '../split.js';
import { deliverInThread, type Thread, type ThreadOpening } from '../thread/root.js';
import { createLimiter, type Limiter, mapConcurrently } from './concurrent.js';
import { type PostPartsRequest, postParts, postProps, uploadInBatches } from './post-parts.js';
import {
  type DeliveryResult,
  messageOf,
  type PostContent,
  type ResolveLogins,
  result,
} from './result.js';
import { resolveTargets, type Target, uniqueTargets } from './targets.js';

/** Uploads in flight at once across every destination of a run: each holds a copy of its file. */
const UPLOADS_IN_FLIGHT = 6;

/** What a webhook or REST post may hold: every server accepts this much, whatever MaxPostSize is. */
const SAFE_POST_RUNES = 4000;

export interface ApiDelivery {
  api: MattermostApi;
  destinations: Destination[];
  content: PostContent;
  rootId: string | undefined;
  updatePostId: string | undefined;
  files: UploadFile[];
  resolveLogins: ResolveLogins;
  /** `thread-key` (rendered); the root text not yet cut to size. */
  thread?: Thread | undefined;
  reactions?: Reaction[];
}

interface ThreadRoot {
  id: string;
  channelId: string;
}

/** What deliveries tell and when: a notice for the log, and the clock for the look-back. */
export interface DeliveryEnvironment {
  log: (message: string) => void;
  now: () => number;
}

export async function deliverByApi(
  delivery: ApiDelivery,
  environment: DeliveryEnvironment,
): Promise<DeliveryResult[]> {
  const { api, content } = delivery;
  if (delivery.updatePostId) return [await editPost(delivery, delivery.updatePostId)];
  // The look-ups do not need the bot's own user, so everything goes out at once.
  const lookup = resolveTargets(delivery);
  let setup: [MattermostUser, string[], MattermostPost | undefined, Thread | undefined];
  try {
    setup = await Promise.all([
      api.getMe(),
      messageParts(api, content.message),
      delivery.rootId ? api.getPost(delivery.rootId) : undefined,
      threadCutToSize(api, delivery.thread),
    ]);
  } catch (error) {
    // Without the bot's own user (a rejected token, say) nothing can be sent anywhere.
    await lookup;
    const entries = delivery.destinations.map((d) => d.entry);
    return (entries.length > 0 ? entries : [delivery.rootId ?? '']).map((entry) =>
      result(entry, 'failed', { error: messageOf(error) }),
    );
  }
  const [me, parts, thread, keyed] = setup;
  const threadRoot = thread
    ? { id: thread.root_id || thread.id, channelId: thread.channel_id }
    : undefined;
  const targets =
    delivery.destinations.length === 0 && threadRoot
      ? [{ entry: delivery.rootId ?? '', channelId: threadRoot.channelId }]
      : await lookup;
  const uploads = createLimiter(UPLOADS_IN_FLIGHT);
  return mapConcurrently(uniqueTargets(targets), (target) =>
    deliverTo(
      { ...delivery, thread: keyed },
      target,
      me.id,
      parts,
      threadRoot,
      environment,
      uploads,
    ),
  );
}

/** Opens the direct channel where the target is a person, then posts there. */
async function deliverTo(
  delivery: ApiDelivery,
  target: Target,
  botId: string,
  parts: string[],
  threadRoot: ThreadRoot | undefined,
  environment: DeliveryEnvironment,
  uploads: Limiter,
): Promise<DeliveryResult> {
  if ('error' in target) return result(target.entry, 'failed', { error: target.error });
  let channelId = 'channelId' in target ? target.channelId : '';
  try {
    if ('user' in target) {
      channelId = (await delivery.api.createDirectChannel(botId, target.user.id, target.entry)).id;
    }
    if (threadRoot && threadRoot.channelId !== channelId) {
      throw new ActionError(
        `root-id ${threadRoot.id} is a thread in another channel: a reply must go to the root post's channel (leave out the destination to reply there).`,
        { input: 'root-id' },
      );
    }
    const fileBatches = await uploadInBatches(delivery.api, channelId, delivery.files, uploads);
    const message: PostPartsRequest = { ...delivery, botId, channelId, parts, fileBatches };
    const postMessage = (rootId: string | undefined, opening?: ThreadOpening) =>
      postParts(message, rootId, opening);
    const posted = delivery.thread
      ? await deliverInThread(
          {
            api: delivery.api,
            thread: delivery.thread,
            botId,
            channelId,
            rootProps: postProps(delivery.content, false),
            priority: delivery.content.priority,
            now: environment.now(),
          },
          postMessage,
          environment.log,
        )
      : undefined;
    const first = posted?.post ?? (await postMessage(threadRoot?.id));
    const rootId = posted?.rootId ?? (first.root_id || first.id);
    const sent = { channelId: first.channel_id, postId: first.id, rootId };
    // With thread-key the reactions mark the thread's root, else the post itself.
    return react(delivery, botId, posted ? rootId : first.id, result(target.entry, 'sent', sent));
  } catch (error) {
    return result(target.entry, 'failed', { channelId, error: messageOf(error) });
  }
}

/** The message cut under the server's limit, which is only asked for when the text could exceed it. */
async function messageParts(api: MattermostApi, message: string): Promise<string[]> {
  const maxRunes =
    runeLength(message) > SAFE_POST_RUNES ? await api.getMaxPostSize() : DEFAULT_MAX_POST_SIZE;
  return splitMessage(message, maxRunes);
}

/** Adds and removes the `reactions`; a failure there fails the destination, keeping its post ids. */
async function react(
  delivery: ApiDelivery,
  botId: string,
  postId: string,
  sent: DeliveryResult,
): Promise<DeliveryResult> {
  try {
    await applyReactions(delivery.api, botId, postId, delivery.reactions ?? []);
    return sent;
  } catch (error) {
    return {
      ...sent,
      status: 'failed',
      error: `The post was sent, but a reaction failed: ${messageOf(error)}`,
    };
  }
}

/** The `thread-root` text cut to one post (a root is never split), under the server's limit. */
async function threadCutToSize(
  api: MattermostApi,
  thread: Thread | undefined,
): Promise<Thread | undefined> {
  if (thread?.root === undefined) return thread;
  const [root] = await messageParts(api, thread.root);
  return { ...thread, root: root ?? '' };
}

/** `update-post-id`: the first part replaces the post's text, the rest follow as replies. */
async function editPost(delivery: ApiDelivery, postId: string): Promise<DeliveryResult> {
  const { api, content } = delivery;
  try {
    const [me, existing, parts] = await Promise.all([
      api.getMe(),
      api.getPost(postId),
      messageParts(api, content.message),
    ]);
    const fileBatches = await uploadInBatches(
      api,
      existing.channel_id,
      delivery.files,
      createLimiter(UPLOADS_IN_FLIGHT),
    );
    // A patch replaces the whole props map: keep what the post had, and swap in the new attachments.
    const props: Record<string, unknown> = { ...existing.props, ...postProps(content, true) };
    if (!content.attachments) delete props.attachments;
    const edited = await api.patchPost(postId, {
      message: parts[0] ?? '',
      props,
      ...(fileBatches[0] ? { file_ids: fileBatches[0] } : {}),
    });
    const rootId = edited.root_id || edited.id;
    const count = Math.max(parts.length, fileBatches.length);
    for (let index = 1; index < count; index += 1) {
      const replyProps = postProps(content, false);
      await api.createPost({
        channel_id: edited.channel_id,
        message: parts[index] ?? '',
        root_id: rootId,
        pending_post_id: `${me.id}:${randomBytes(10).toString('hex')}`,
        ...(fileBatches[index] ? { file_ids: fileBatches[index] } : {}),
        ...(replyProps ? { props: replyProps } : {}),
      });
    }
    const sent = { channelId: edited.channel_id, postId: edited.id, rootId };
    return react(delivery, me.id, edited.id, result(postId, 'sent', sent));
  } catch (error) {
    return result(postId, 'failed', { error: messageOf(error) });
  }
}
