/** API mode: one logical message as REST posts: the first post, then replies for the rest. */
import { randomBytes } from 'node:crypto';
import { ActionError } from '../errors.js';
import type { MattermostApi, MattermostPost, UploadFile } from '../mattermost/api.js';
import type { ThreadOpening } from '../thread/root.js';
import type { Limiter } from './concurrent.js';
import type { PostContent } from './result.js';

/** `PostFileidsMaxRunes` (300) holds 10 ids; the web app's MAX_UPLOAD_FILES is 10 too. */
const MAX_FILES_PER_POST = 10;

/** One message to one channel: its parts, and its files already uploaded there, in batches. */
export interface PostPartsRequest {
  api: MattermostApi;
  content: PostContent;
  botId: string;
  channelId: string;
  parts: string[];
  fileBatches: string[][];
}

/**
 * Creates the post (and the replies that carry the rest of a long message or of the files). The
 * files are uploaded before, once: a post that is sent again (a thread opened under its second
 * id, another run's root handed back) reuses the same file ids.
 */
export async function postParts(
  request: PostPartsRequest,
  threadRootId: string | undefined,
  opening?: ThreadOpening,
): Promise<MattermostPost> {
  const { api, content, botId, channelId, parts, fileBatches } = request;
  let first: MattermostPost | undefined;
  let inThread = threadRootId;
  const count = Math.max(parts.length, fileBatches.length, 1);
  const fieldsOf = (index: number, rootId: string | undefined, open?: ThreadOpening) => ({
    channel_id: channelId,
    message: parts[index] ?? '',
    pending_post_id: open?.pendingPostId ?? `${botId}:${randomBytes(10).toString('hex')}`,
    ...(rootId ? { root_id: rootId } : {}),
    ...(fileBatches[index] ? { file_ids: fileBatches[index] } : {}),
    // A reply takes no priority (server-facts §2): the first part keeps it only as a root post.
    ...(index === 0
      ? firstPostFields(content, open?.props, rootId !== undefined)
      : replyFields(content)),
  });
  for (let index = 0; index < count; index += 1) {
    const open = index === 0 && !inThread ? opening : undefined;
    let post = await api.createPost(fieldsOf(index, inThread ?? first?.id, open));
    if (open && !open.isOwn(post)) {
      // Another run opened this thread a moment ago: this part goes into it as a reply.
      inThread = post.id;
      post = await api.createPost(fieldsOf(index, post.id));
    }
    first ??= post;
  }
  if (!first) throw new ActionError('Nothing was posted.');
  return first;
}

function firstPostFields(
  content: PostContent,
  threadProps: Record<string, unknown> | undefined,
  reply: boolean,
): {
  props?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  type?: string;
} {
  const own = postProps(content, true);
  const props = threadProps ? { ...own, ...threadProps } : own;
  return {
    ...(props ? { props } : {}),
    ...(content.priority && !reply ? { metadata: { priority: content.priority } } : {}),
    ...(content.type ? { type: content.type } : {}),
  };
}

function replyFields(content: PostContent): { props?: Record<string, unknown> } {
  const props = postProps(content, false);
  return props ? { props } : {};
}

/** `props` of a REST post: the payload's, the attachments (first post only) and display overrides. */
export function postProps(
  content: PostContent,
  first: boolean,
): Record<string, unknown> | undefined {
  const props: Record<string, unknown> = { ...(first ? content.props : {}) };
  if (first && content.attachments) props.attachments = content.attachments;
  const { username, iconUrl, iconEmoji } = content.display;
  if (username) props.override_username = username;
  if (iconUrl) props.override_icon_url = iconUrl;
  if (iconEmoji) props.override_icon_emoji = iconEmoji;
  // The web app shows the overrides only on posts marked as from a webhook (`isFromWebhook`).
  if (username || iconUrl || iconEmoji) props.from_webhook = 'true';
  return Object.keys(props).length > 0 ? props : undefined;
}

/**
 * One upload request per file, through `limit`, which all uploads of a run share (each holds its
 * own copy of the file); the ids in batches of one post each.
 */
export async function uploadInBatches(
  api: MattermostApi,
  channelId: string,
  files: UploadFile[],
  limit: Limiter,
): Promise<string[][]> {
  const ids = await Promise.all(files.map((file) => limit(() => api.uploadFile(channelId, file))));
  const batches: string[][] = [];
  for (let start = 0; start < ids.length; start += MAX_FILES_PER_POST) {
    batches.push(ids.slice(start, start + MAX_FILES_PER_POST));
  }
  return batches;
}
