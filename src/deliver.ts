/**
 * Destinations → requests. Every destination is tried; one that fails is reported in its result
 * and never stops the others.
 */
import { randomBytes } from 'node:crypto';
import type { Destination, DisplayOverrides, MattermostUserRef } from './config.js';
import { ActionError } from './errors.js';
import type { LoginResolution } from './github-users.js';
import {
  DEFAULT_MAX_POST_SIZE,
  type MattermostApi,
  type MattermostPost,
  type MattermostUser,
  type UploadFile,
} from './mattermost/api.js';
import type { WebhookBody } from './mattermost/webhook.js';
import { runeLength, splitMessage } from './split.js';

/** The rendered post, before it is cut to size and addressed. */
export interface PostContent {
  message: string;
  props: Record<string, unknown> | undefined;
  attachments: unknown[] | undefined;
  priority: Record<string, unknown> | undefined;
  type: string | undefined;
  display: DisplayOverrides;
}

export type DeliveryStatus = 'sent' | 'failed' | 'dry-run';

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

/** What a webhook or REST post may hold: every server accepts this much, whatever MaxPostSize is. */
const SAFE_POST_RUNES = 4000;
const MAX_FILES_PER_POST = 5;
const MAX_IN_FLIGHT = 8;

export type ResolveLogins = (logins: string[]) => Promise<LoginResolution[]>;

/** The label of a delivery to the webhook's own channel, which the inputs do not name. */
export const WEBHOOK_CHANNEL = '(webhook channel)';

export function dryRunResults(destinations: Destination[], fallback: string): DeliveryResult[] {
  const entries = destinations.length > 0 ? destinations.map((d) => d.entry) : [fallback];
  return entries.map((destination) => result(destination, 'dry-run'));
}

// ---------------------------------------------------------------------------------------------
// Webhook mode

export interface WebhookDelivery {
  destinations: Destination[];
  content: PostContent;
  resolveLogins: ResolveLogins;
  post: (body: WebhookBody, label: string) => Promise<void>;
}

export async function deliverByWebhook(delivery: WebhookDelivery): Promise<DeliveryResult[]> {
  const { content } = delivery;
  const parts = splitMessage(content.message, DEFAULT_MAX_POST_SIZE);
  const targets = await webhookTargets(delivery);
  const overrides = new Set<string>();
  return mapConcurrently(targets, async (target) => {
    if ('error' in target) return result(target.entry, 'failed', { error: target.error });
    // One person or channel reached by two entries gets one message.
    const key = target.channel ?? '';
    if (overrides.has(key)) return undefined;
    overrides.add(key);
    try {
      for (const [index, text] of parts.entries()) {
        const first = index === 0;
        await delivery.post(webhookBody(content, text, target.channel, first), target.entry);
      }
      return result(target.entry, 'sent');
    } catch (error) {
      return result(target.entry, 'failed', { error: messageOf(error) });
    }
  });
}

type WebhookTarget =
  | { entry: string; channel: string | undefined }
  | { entry: string; error: string };

async function webhookTargets(delivery: WebhookDelivery): Promise<WebhookTarget[]> {
  const { destinations } = delivery;
  if (destinations.length === 0) return [{ entry: WEBHOOK_CHANNEL, channel: undefined }];
  const logins = destinations.flatMap((d) => (d.kind === 'github-user' ? [d.login] : []));
  const resolutions = logins.length > 0 ? await delivery.resolveLogins(logins) : [];
  const byLogin = new Map(resolutions.map((r) => [r.login.toLowerCase(), r]));
  const targets: WebhookTarget[] = [];
  for (const destination of destinations) {
    switch (destination.kind) {
      case 'channel-name':
        targets.push({ entry: destination.entry, channel: destination.name });
        break;
      case 'username':
        targets.push({ entry: destination.entry, channel: `@${destination.username}` });
        break;
      case 'github-user': {
        const resolution = byLogin.get(destination.login.toLowerCase());
        if (!resolution || resolution.outcome === 'bot') break;
        if (resolution.outcome === 'unresolved')
          targets.push({ entry: destination.entry, error: resolution.reason });
        else if (resolution.user.kind === 'username')
          targets.push({ entry: destination.entry, channel: `@${resolution.user.username}` });
        else
          targets.push({
            entry: destination.entry,
            error: `github-user ${destination.login} maps to an email, which needs API mode: map it to a Mattermost username in user-map.`,
          });
        break;
      }
      default:
        // inputs.ts refuses channel ids and emails in webhook mode.
        targets.push({ entry: destination.entry, error: `${destination.entry} needs API mode.` });
    }
  }
  return targets;
}

function webhookBody(
  content: PostContent,
  text: string,
  channel: string | undefined,
  first: boolean,
): WebhookBody {
  const body: WebhookBody = { text };
  if (channel) body.channel = channel;
  if (content.display.username) body.username = content.display.username;
  if (content.display.iconUrl) body.icon_url = content.display.iconUrl;
  if (content.display.iconEmoji) body.icon_emoji = content.display.iconEmoji;
  if (content.type) body.type = content.type;
  if (!first) return body;
  if (content.props) body.props = content.props;
  if (content.attachments) body.attachments = content.attachments;
  if (content.priority) body.priority = content.priority;
  return body;
}

// ---------------------------------------------------------------------------------------------
// API mode

export interface ApiDelivery {
  api: MattermostApi;
  destinations: Destination[];
  content: PostContent;
  rootId: string | undefined;
  updatePostId: string | undefined;
  files: UploadFile[];
  resolveLogins: ResolveLogins;
}

/** Where a destination leads once looked up: a channel, a person to open a DM with, or why neither. */
type Target =
  | { entry: string; channelId: string }
  | { entry: string; user: MattermostUser }
  | { entry: string; error: string };

interface ThreadRoot {
  id: string;
  channelId: string;
}

export async function deliverByApi(delivery: ApiDelivery): Promise<DeliveryResult[]> {
  const { api, content } = delivery;
  if (delivery.updatePostId) return [await editPost(delivery, delivery.updatePostId)];
  // The look-ups do not need the bot's own user, so everything goes out at once.
  const lookup = resolveTargets(delivery);
  let setup: [MattermostUser, string[], MattermostPost | undefined];
  try {
    setup = await Promise.all([
      api.getMe(),
      messageParts(api, content.message),
      delivery.rootId ? api.getPost(delivery.rootId) : undefined,
    ]);
  } catch (error) {
    // Without the bot's own user (a rejected token, say) nothing can be sent anywhere.
    await lookup;
    const entries = delivery.destinations.map((d) => d.entry);
    return (entries.length > 0 ? entries : [delivery.rootId ?? '']).map((entry) =>
      result(entry, 'failed', { error: messageOf(error) }),
    );
  }
  const [me, parts, thread] = setup;
  const threadRoot = thread
    ? { id: thread.root_id || thread.id, channelId: thread.channel_id }
    : undefined;
  const targets =
    delivery.destinations.length === 0 && threadRoot
      ? [{ entry: delivery.rootId ?? '', channelId: threadRoot.channelId }]
      : await lookup;
  return mapConcurrently(uniqueTargets(targets), (target) =>
    deliverTo(delivery, target, me.id, parts, threadRoot),
  );
}

/** One person or channel reached by two entries gets one message, named by the first entry. */
function uniqueTargets(targets: Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key =
      'channelId' in target
        ? `channel:${target.channelId}`
        : 'user' in target
          ? `user:${target.user.id}`
          : '';
    if (!key) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Opens the direct channel where the target is a person, then posts there. */
async function deliverTo(
  delivery: ApiDelivery,
  target: Target,
  botId: string,
  parts: string[],
  threadRoot: ThreadRoot | undefined,
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
    const first = await postParts(delivery, botId, channelId, parts, threadRoot?.id);
    return result(target.entry, 'sent', {
      channelId: first.channel_id,
      postId: first.id,
      rootId: first.root_id || first.id,
    });
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

/** A person-destination's Mattermost user, or why it has none. */
type UserRefOutcome = { value: MattermostUserRef } | { error: string };

/**
 * Looks every destination up with as few requests as it can (all usernames in one request),
 * in parallel where it can. Never throws: a failed look-up is that destination's error.
 */
async function resolveTargets(delivery: ApiDelivery): Promise<Target[]> {
  const { api, destinations } = delivery;
  const channelNames = destinations.filter((d) => d.kind === 'channel-name');
  const channelsLookup = settleEach(channelNames, (d) =>
    api.getChannelByName(d.team ?? '', d.name),
  );
  const userRefs = await userRefsOf(delivery);
  const refs = [...userRefs.values()].flatMap((outcome) =>
    'value' in outcome ? [outcome.value] : [],
  );
  const usernames = [
    ...new Set(refs.flatMap((ref) => (ref.kind === 'username' ? [ref.username] : []))),
  ];
  const emails = [...new Set(refs.flatMap((ref) => (ref.kind === 'email' ? [ref.email] : [])))];
  const [usersByName, usersByEmail, channels] = await Promise.all([
    usernames.length > 0 ? settle(api.getUsersByUsernames(usernames)) : { value: [] },
    settleEach(emails, (email) => api.getUserByEmail(email)),
    channelsLookup,
  ]);

  return destinations.flatMap((destination): Target[] => {
    const { entry } = destination;
    if (destination.kind === 'channel-id') return [{ entry, channelId: destination.channelId }];
    if (destination.kind === 'channel-name') {
      const channel = channels.get(destination) ?? { error: `${entry} was not looked up.` };
      return [
        'error' in channel
          ? { entry, error: channel.error }
          : { entry, channelId: channel.value.id },
      ];
    }
    const ref = userRefs.get(destination);
    if (!ref) return []; // a bot login, skipped with a notice
    if ('error' in ref) return [{ entry, error: ref.error }];
    const user = findUser(ref.value, usersByName, usersByEmail);
    return ['error' in user ? { entry, error: user.error } : { entry, user: user.value }];
  });
}

/** The Mattermost user each person-destination names; skipped bot logins are left out. */
async function userRefsOf(delivery: ApiDelivery): Promise<Map<Destination, UserRefOutcome>> {
  const refs = new Map<Destination, UserRefOutcome>();
  const githubDestinations = delivery.destinations.filter((d) => d.kind === 'github-user');
  const resolutions =
    githubDestinations.length > 0
      ? await delivery.resolveLogins(githubDestinations.map((d) => d.login))
      : [];
  const byLogin = new Map(resolutions.map((r) => [r.login.toLowerCase(), r]));
  for (const destination of delivery.destinations) {
    if (destination.kind === 'username') {
      refs.set(destination, { value: { kind: 'username', username: destination.username } });
    } else if (destination.kind === 'email') {
      refs.set(destination, { value: { kind: 'email', email: destination.email } });
    } else if (destination.kind === 'github-user') {
      const resolution = byLogin.get(destination.login.toLowerCase());
      if (!resolution || resolution.outcome === 'bot') continue;
      refs.set(
        destination,
        resolution.outcome === 'found'
          ? { value: normaliseRef(resolution.user) }
          : { error: resolution.reason },
      );
    }
  }
  return refs;
}

function normaliseRef(ref: MattermostUserRef): MattermostUserRef {
  return ref.kind === 'username'
    ? { kind: 'username', username: ref.username.replace(/^@/, '').toLowerCase() }
    : { kind: 'email', email: ref.email.toLowerCase() };
}

function findUser(
  ref: MattermostUserRef,
  usersByName: Outcome<MattermostUser[]>,
  usersByEmail: Map<string, Outcome<MattermostUser>>,
): Outcome<MattermostUser> {
  if (ref.kind === 'email') {
    return usersByEmail.get(ref.email) ?? { error: `No Mattermost user with email ${ref.email}.` };
  }
  if ('error' in usersByName) return usersByName;
  const user = usersByName.value.find((u) => u.username.toLowerCase() === ref.username);
  return user
    ? { value: user }
    : {
        error: `No Mattermost user @${ref.username}: check the username (the name after @ in Mattermost, not the display name).`,
      };
}

/** Creates the post (and the replies that carry the rest of a long message or of the files). */
async function postParts(
  delivery: ApiDelivery,
  botId: string,
  channelId: string,
  parts: string[],
  threadRootId: string | undefined,
): Promise<MattermostPost> {
  const { api, content } = delivery;
  const fileBatches = await uploadInBatches(api, channelId, delivery.files);
  let first: MattermostPost | undefined;
  const count = Math.max(parts.length, fileBatches.length, 1);
  for (let index = 0; index < count; index += 1) {
    const rootId = threadRootId ?? first?.id;
    const post = await api.createPost({
      channel_id: channelId,
      message: parts[index] ?? '',
      pending_post_id: `${botId}:${randomBytes(10).toString('hex')}`,
      ...(rootId ? { root_id: rootId } : {}),
      ...(fileBatches[index] ? { file_ids: fileBatches[index] } : {}),
      ...(index === 0 ? firstPostFields(content) : replyFields(content)),
    });
    first ??= post;
  }
  if (!first) throw new ActionError('Nothing was posted.');
  return first;
}

function firstPostFields(content: PostContent): {
  props?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  type?: string;
} {
  const props = postProps(content, true);
  return {
    ...(props ? { props } : {}),
    ...(content.priority ? { metadata: { priority: content.priority } } : {}),
    ...(content.type ? { type: content.type } : {}),
  };
}

function replyFields(content: PostContent): { props?: Record<string, unknown> } {
  const props = postProps(content, false);
  return props ? { props } : {};
}

/** `props` of a REST post: the payload's, the attachments (first post only) and display overrides. */
function postProps(content: PostContent, first: boolean): Record<string, unknown> | undefined {
  const props: Record<string, unknown> = { ...(first ? content.props : {}) };
  if (first && content.attachments) props.attachments = content.attachments;
  if (content.display.username) props.override_username = content.display.username;
  if (content.display.iconUrl) props.override_icon_url = content.display.iconUrl;
  if (content.display.iconEmoji) props.override_icon_emoji = content.display.iconEmoji;
  return Object.keys(props).length > 0 ? props : undefined;
}

async function uploadInBatches(
  api: MattermostApi,
  channelId: string,
  files: UploadFile[],
): Promise<string[][]> {
  const batches: string[][] = [];
  for (let start = 0; start < files.length; start += MAX_FILES_PER_POST) {
    batches.push(await api.uploadFiles(channelId, files.slice(start, start + MAX_FILES_PER_POST)));
  }
  return batches;
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
    const fileBatches = await uploadInBatches(api, existing.channel_id, delivery.files);
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
    return result(postId, 'sent', { channelId: edited.channel_id, postId: edited.id, rootId });
  } catch (error) {
    return result(postId, 'failed', { error: messageOf(error) });
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

type Outcome<T> = { value: T } | { error: string };

function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: messageOf(error) }),
  );
}

async function settleEach<K, T>(
  keys: K[],
  load: (key: K) => Promise<T>,
): Promise<Map<K, Outcome<T>>> {
  const outcomes = await mapConcurrently(keys, (key) => settle(load(key)));
  return new Map(keys.map((key, index) => [key, outcomes[index] as Outcome<T>]));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function result(
  destination: string,
  status: DeliveryStatus,
  fields: Partial<Omit<DeliveryResult, 'destination' | 'status'>> = {},
): DeliveryResult {
  return { destination, status, channelId: '', postId: '', rootId: '', error: '', ...fields };
}

/**
 * Maps in input order with at most MAX_IN_FLIGHT calls running; `undefined` results (duplicates,
 * skipped bots) are dropped.
 */
async function mapConcurrently<T, R>(
  items: T[],
  map: (item: T) => Promise<R | undefined>,
): Promise<R[]> {
  const results: (R | undefined)[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, items.length) }, worker));
  return results.filter((r): r is R => r !== undefined);
}
