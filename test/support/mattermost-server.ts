// A local Mattermost server for tests and `npm run demo`: real HTTP on 127.0.0.1, the routes the
// action uses, and the statuses, error ids and behaviours of /work/shared/mattermost/server-facts.md.
import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from './multipart.js';
import { type CheckedRequest, openApi } from './openapi.js';

export { type MultipartPart, parseMultipart } from './multipart.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: unknown;
  at: number;
}

export interface StoredPost {
  id: string;
  channel_id: string;
  user_id: string;
  message: string;
  root_id: string;
  props: Record<string, unknown>;
  file_ids: string[];
  metadata: Record<string, unknown>;
  type: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  pending_post_id: string;
  via: 'webhook' | 'api';
  /** Set by deletePost(); deleted posts are hidden from every read, as Mattermost hides them. */
  delete_at?: number;
}

export interface Fault {
  method?: string;
  path?: string | RegExp;
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: string | object;
  delayMs?: number;
  drop?: boolean;
  afterHandling?: boolean;
}

export interface ServerConfig {
  maxPostSize: number;
  showEmailAddress: boolean;
  restrictDirectMessage: 'any' | 'team';
  enableFileAttachments: boolean;
  enableIncomingWebhooks: boolean;
  enablePostUsernameOverride: boolean;
  enablePostIconOverride: boolean;
  /**
   * RateLimitSettings (`server/channels/app/ratelimit.go`): the `throttled` GCRA limiter keyed by
   * client IP; `varyByUser` adds a second limiter keyed by the user, with its own headers.
   */
  rateLimit: { perSec: number; maxBurst: number; varyByUser?: boolean } | undefined;
  latencyMs: number;
  hardened: boolean;
  /**
   * False: a server from before collapsed reply threads (5.29 added `collapsedThreads` to
   * api4/post.go getPostsForChannel), which ignores the parameter and pages over replies too.
   */
  collapsedThreads: boolean;
  /**
   * FileSettings.MaxFileSize: the whole body of POST /files may hold MaxFileSize + 512 bytes
   * (`server/channels/web/handlers.go`), not the 300000-byte payload cap.
   */
  maxFileSize: number;
  /**
   * Incoming-webhook error ids. `wrapped` (current servers): `incomingWebhook` in
   * `server/channels/web/webhook.go` re-wraps every error as `web.incoming_webhook.general.app_error`
   * (a body that does not decode as `…decode.app_error`) with the original status. `specific`:
   * the inner ids, as v8-era servers send them.
   */
  webhookErrors: 'wrapped' | 'specific';
  /** ServiceSettings.PostPriority; off: any `metadata.priority` gets 403 (`postPriorityCheck`). */
  postPriority: boolean;
}

export interface Team {
  id: string;
  name: string;
  display_name: string;
  type: 'O' | 'I';
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface User {
  id: string;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  nickname: string;
  roles: string;
  is_bot: boolean;
  locale: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface Channel {
  id: string;
  team_id: string;
  name: string;
  display_name: string;
  type: 'O' | 'P' | 'D' | 'G';
  header: string;
  purpose: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  last_post_at: number;
  total_msg_count: number;
}

export interface UploadedFile {
  id: string;
  channel_id: string;
  name: string;
  size: number;
  content: Buffer;
}

interface IncomingHook {
  id: string;
  channel_id: string;
  team_id: string;
  user_id: string;
  channel_locked: boolean;
  username: string;
  icon_url: string;
  display_name: string;
  delete_at: number;
}

interface StoredFile extends UploadedFile {
  user_id: string;
  post_id: string;
  extension: string;
  mime_type: string;
  create_at: number;
}

interface State {
  teams: Map<string, Team>;
  users: Map<string, User>;
  channels: Map<string, Channel>;
  teamMembers: Map<string, Set<string>>; // team id → user ids
  channelMembers: Map<string, Set<string>>; // channel id → user ids
  tokens: Map<string, string>; // token → user id
  hooks: Map<string, IncomingHook>;
  posts: Map<string, StoredPost>; // a Map keeps creation order
  files: Map<string, StoredFile>;
  pendingPostIds: Map<string, { postId: string | undefined; expiresAt: number }>;
  reactions: Map<string, StoredReaction>; // `${post_id}:${user_id}:${emoji_name}` → reaction
}

interface Reply {
  status: number;
  /** An array value is sent as that many header lines, as Go's `Header().Add` does. */
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  config: ServerConfig;
  /** Waits out an injected `delayMs`; once only. POST /posts calls it itself, mid-way. */
  hold: () => Promise<void>;
}

interface ApiCall extends Call {
  user: User;
  params: string[];
}

interface Route {
  method: string;
  pattern: RegExp;
  handle: (s: State, call: ApiCall) => Reply | Promise<Reply>;
  holdsItself?: boolean;
}

const MAX_PAYLOAD_BYTES = 300_000;
const MAX_PROPS_RUNES = 800_000;
// Post.IsValid (`server/public/model/post.go`): the JSON of file_ids must fit PostFileidsMaxRunes,
// which leaves room for 10 ids of 26 characters (the web app's MAX_UPLOAD_FILES is 10 too).
const POST_FILEIDS_MAX_RUNES = 300;
// `server/channels/web/handlers.go`: a file route reads at most MaxFileSize + bytes.MinRead.
const FILE_BODY_SLACK_BYTES = 512;
const PENDING_POST_ID_TTL_MS = 30_000;
const SERVER_VERSION = '10.5.0';
const ID_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function defaultServerConfig(): ServerConfig {
  return {
    maxPostSize: 16383,
    showEmailAddress: true,
    restrictDirectMessage: 'any',
    enableFileAttachments: true,
    enableIncomingWebhooks: true,
    enablePostUsernameOverride: false,
    enablePostIconOverride: false,
    rateLimit: undefined,
    latencyMs: 0,
    hardened: false,
    collapsedThreads: true,
    maxFileSize: 104_857_600,
    webhookErrors: 'wrapped',
    postPriority: true,
  };
}

/** A 26-character id from Mattermost's own base32 alphabet (a subset of [a-z0-9]). */
export function newId(): string {
  return Array.from(randomBytes(26), (byte) => ID_ALPHABET[byte % 32]).join('');
}

// Every error this server answers: status, Mattermost's error id, an English message.
// biome-ignore format: a table reads better unwrapped
const ERRORS = {
  pageNotFound: [404, 'api.context.404.app_error', 'Sorry, we could not find the page.'],
  sessionExpired: [401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.'],
  forbidden: [403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.'],
  invalidBody: [400, 'api.context.invalid_body_param.app_error', 'Invalid or missing parameter in request body.'],
  invalidParam: [400, 'api.context.invalid_param.app_error', 'Invalid or missing parameter.'],
  bodyTooLarge: [413, 'api.context.request_body_too_large.app_error', 'The request body is too large.'],
  hooksDisabled: [501, 'web.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled.'],
  hookParse: [400, 'model.incoming_hook.parse_data.app_error', 'Unable to parse incoming data.'],
  hookText: [400, 'web.incoming_webhook.text.app_error', 'No text specified.'],
  hookInvalid: [400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.'],
  hookUser: [400, 'web.incoming_webhook.user.app_error', 'Could not find the user.'],
  hookChannel: [404, 'web.incoming_webhook.channel.app_error', 'Could not find the channel.'],
  hookLocked: [403, 'web.incoming_webhook.channel_locked.app_error', 'This webhook may not post to that channel.'],
  hookPermissions: [403, 'web.incoming_webhook.permissions.app_error', 'Inappropriate channel permissions.'],
  hookPropsTooLong: [400, 'web.incoming_webhook.split_props_length.app_error', 'Props too long.'],
  hookGeneral: [400, 'web.incoming_webhook.general.app_error', 'Failed to handle the payload of media type application/json for incoming webhook.'],
  hookDecode: [400, 'web.incoming_webhook.decode.app_error', 'Failed to decode the payload of incoming webhook.'],
  hookCreating: [500, 'api.post.create_webhook_post.creating.app_error', 'Error creating post.'],
  invalidUrlParam: [400, 'api.context.invalid_url_param.app_error', 'Invalid or missing parameter in request URL.'],
  priorityNotAllowed: [403, 'api.post.post_priority.priority_post_not_allowed_for_user.request_error', 'Post priority is not allowed for this user.'],
  priorityRootOnly: [400, 'api.post.post_priority.priority_post_only_allowed_for_root_post.request_error', 'Post priority is allowed only on root posts.'],
  userByUsername: [404, 'app.user.get_by_username.app_error', 'Unable to find an existing account.'],
  userByEmailHidden: [403, 'api.user.get_user_by_email.permissions.app_error', 'Unable to get user by email.'],
  userMissing: [404, 'app.user.missing_account.const', 'Unable to find the user.'],
  directInvalidUser: [400, 'api.channel.create_direct_channel.invalid_user.app_error', 'Invalid user ID for direct channel creation.'],
  directTeamRestricted: [403, 'api.channel.create_channel.direct_channel.team_restricted_error', 'These users share no team.'],
  groupBadSize: [400, 'api.channel.create_group.bad_size.app_error', 'A group message takes 3 to 8 users.'],
  groupBadUser: [400, 'api.channel.create_group.bad_user.app_error', 'One of the provided users does not exist.'],
  channelMissing: [404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.'],
  channelByNameMissing: [404, 'app.channel.get_by_name.missing.app_error', 'Channel does not exist.'],
  teamByNameMissing: [404, 'app.team.get_by_name.missing.app_error', 'Unable to find the existing team.'],
  clientConfigFormat: [501, 'api.config.client.old_format.app_error', 'Only format=old is supported.'],
  postMissing: [404, 'app.post.get.app_error', 'Unable to get the post.'],
  postPending: [500, 'api.post.deduplicate_create_post.pending', 'A post with this pending_post_id is still being created.'],
  rootId: [400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.'],
  rootChannel: [400, 'api.post.create_post.channel_root_id.app_error', 'Invalid ChannelId for RootId parameter.'],
  messageLength: [400, 'model.post.is_valid.message_length.app_error', 'Message is longer than MaxPostSize.'],
  propsLength: [400, 'model.post.is_valid.props.app_error', 'Invalid props.'],
  fileIds: [400, 'model.post.is_valid.file_ids.app_error', 'Invalid file ids.'],
  postType: [400, 'model.post.is_valid.type.app_error', 'Invalid type.'],
  attachmentsDisabled: [403, 'api.file.attachments.disabled.app_error', 'File attachments are disabled.'],
  fileTooLarge: [413, 'api.file.upload_file.too_large_detailed.app_error', 'File is too large.'],
  multipartUnreadable: [400, 'api.file.upload_file.read_request.app_error', 'Unable to read the request.'],
  fileCount: [400, 'api.file.upload_file.incorrect_number_of_files.app_error', 'Incorrect number of files.'],
  clientIdCount: [400, 'api.file.upload_file.incorrect_number_of_client_ids.app_error', 'Incorrect number of client_ids.'],
  internal: [500, 'test_server.internal_error', 'Test server bug.'],
} as const satisfies Record<string, readonly [number, string, string]>;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

function fail(name: keyof typeof ERRORS, detail?: string): ApiError {
  const [status, id, message] = ERRORS[name];
  return new ApiError(status, id, detail === undefined ? message : `${message} (${detail})`);
}

function jsonReply(status: number, value: unknown): Reply {
  return { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

function errorReply(error: ApiError, requestId: string, config: ServerConfig): Reply {
  if (config.hardened && error.status >= 500) return hardenedReply(500, requestId);
  return jsonReply(error.status, {
    id: error.id,
    message: error.message,
    detailed_error: '',
    request_id: requestId,
    status_code: error.status,
  });
}

// `handleContextError` in `server/channels/web/handlers.go`, hardened mode: a 5xx keeps no id,
// no detail and no status other than 500.
function hardenedReply(status: number, requestId: string): Reply {
  return jsonReply(status, {
    id: '',
    message: 'Internal Server Error',
    detailed_error: '',
    request_id: requestId,
    status_code: 500,
  });
}

function runeLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function splitRunes(text: string, size: number): string[] {
  const runes = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < runes.length; i += size) pieces.push(runes.slice(i, i + size).join(''));
  return pieces.length > 0 ? pieces : [''];
}

// Mattermost measures props as Go marshals them, and Go escapes <, >, & and U+2028/9 as \uXXXX.
function goJsonRunes(value: unknown): number {
  const json = JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return runeLength(json);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function bodyObject(call: Call, name: string): Record<string, unknown> {
  const value = parseJson(call.text);
  if (!isRecord(value)) throw fail('invalidBody', name);
  return value;
}

function bodyStringArray(call: Call, name: string): string[] {
  const value = parseJson(call.text);
  const isStrings = Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (!isStrings) throw fail('invalidBody', name);
  return value;
}

function optString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw fail('invalidBody', key);
  return v;
}

function optRecord(o: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw fail('invalidBody', key);
  return v;
}

function optStringArray(o: Record<string, unknown>, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw fail('invalidBody', key);
  return v;
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  return /^(?:bearer|token)\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
}

// ---------------------------------------------------------------------------------------------
// Permissions and shared data operations

function hasRole(user: User, role: string): boolean {
  return user.roles.split(' ').includes(role);
}

function isSystemAdmin(user: User): boolean {
  return hasRole(user, 'system_admin');
}

function isTeamMember(s: State, userId: string, teamId: string): boolean {
  return s.teamMembers.get(teamId)?.has(userId) ?? false;
}

function isChannelMember(s: State, userId: string, channelId: string): boolean {
  return s.channelMembers.get(channelId)?.has(userId) ?? false;
}

function canReadChannel(s: State, user: User, channel: Channel): boolean {
  if (isSystemAdmin(user) || isChannelMember(s, user.id, channel.id)) return true;
  return channel.type === 'O' && isTeamMember(s, user.id, channel.team_id);
}

// Bots need channel membership (no auto-join); `system_post_all(_public)` are the roles a bot
// gets from the "post:all" / "post:channels" options.
function canPostInChannel(s: State, user: User, channel: Channel): boolean {
  if (isSystemAdmin(user) || hasRole(user, 'system_post_all')) return true;
  if (isChannelMember(s, user.id, channel.id)) return true;
  return channel.type === 'O' && hasRole(user, 'system_post_all_public');
}

function sanitizeUser(user: User, viewer: User, config: ServerConfig): User {
  const hideEmail = !config.showEmailAddress && !isSystemAdmin(viewer) && viewer.id !== user.id;
  return hideEmail ? { ...user, email: '' } : { ...user };
}

function userByUsername(s: State, username: string): User | undefined {
  const wanted = username.toLowerCase();
  for (const user of s.users.values()) if (user.username === wanted) return user;
  return undefined;
}

function channelByName(s: State, teamId: string, name: string): Channel | undefined {
  for (const channel of s.channels.values()) {
    if (channel.team_id === teamId && channel.name === name) return channel;
  }
  return undefined;
}

function shareATeam(s: State, userA: string, userB: string): boolean {
  for (const members of s.teamMembers.values()) {
    if (members.has(userA) && members.has(userB)) return true;
  }
  return false;
}

function addChannelRecord(
  s: State,
  fields: Pick<Channel, 'team_id' | 'name' | 'display_name' | 'type' | 'creator_id'>,
  members: Iterable<string>,
): Channel {
  const now = Date.now();
  const channel: Channel = {
    id: newId(),
    header: '',
    purpose: '',
    create_at: now,
    update_at: now,
    delete_at: 0,
    last_post_at: now,
    total_msg_count: 0,
    ...fields,
  };
  s.channels.set(channel.id, channel);
  s.channelMembers.set(channel.id, new Set(members));
  return channel;
}

function getOrCreateDirectChannel(
  s: State,
  config: ServerConfig,
  userIdA: string,
  userIdB: string,
): Channel {
  if (!s.users.has(userIdA) || !s.users.has(userIdB)) throw fail('directInvalidUser');
  const name = [userIdA, userIdB].sort().join('__');
  const existing = channelByName(s, '', name);
  if (existing) return existing;
  if (
    config.restrictDirectMessage === 'team' &&
    userIdA !== userIdB &&
    !shareATeam(s, userIdA, userIdB)
  ) {
    throw fail('directTeamRestricted');
  }
  const fields = { team_id: '', name, display_name: '', type: 'D', creator_id: '' } as const;
  return addChannelRecord(s, fields, [userIdA, userIdB]);
}

function savePost(
  s: State,
  fields: Partial<StoredPost> & Pick<StoredPost, 'channel_id' | 'user_id' | 'message' | 'via'>,
): StoredPost {
  const now = Date.now();
  const post: StoredPost = {
    id: newId(),
    root_id: '',
    props: {},
    file_ids: [],
    metadata: {},
    type: '',
    create_at: now,
    update_at: now,
    edit_at: 0,
    pending_post_id: '',
    ...fields,
  };
  if (s.users.get(post.user_id)?.is_bot) post.props = { ...post.props, from_bot: 'true' };
  s.posts.set(post.id, post);
  const channel = s.channels.get(post.channel_id);
  if (channel) {
    channel.last_post_at = now;
    channel.total_msg_count++;
  }
  return post;
}

function postJson(s: State, post: StoredPost): Record<string, unknown> {
  const rootId = post.root_id || post.id;
  let replyCount = 0;
  for (const other of s.posts.values()) if (other.root_id === rootId) replyCount++;
  return {
    id: post.id,
    create_at: post.create_at,
    update_at: post.update_at,
    edit_at: post.edit_at,
    delete_at: 0,
    is_pinned: false,
    user_id: post.user_id,
    channel_id: post.channel_id,
    root_id: post.root_id,
    original_id: '',
    message: post.message,
    type: post.type,
    props: post.props,
    hashtags: '',
    file_ids: post.file_ids,
    pending_post_id: post.pending_post_id,
    reply_count: replyCount,
    metadata: post.metadata,
  };
}

function fileInfoJson(file: StoredFile): Record<string, unknown> {
  return {
    id: file.id,
    user_id: file.user_id,
    channel_id: file.channel_id,
    post_id: file.post_id,
    create_at: file.create_at,
    update_at: file.create_at,
    delete_at: 0,
    name: file.name,
    extension: file.extension,
    size: file.size,
    mime_type: file.mime_type,
    has_preview_image: false,
  };
}

function checkMessageLength(message: string, config: ServerConfig): void {
  if (runeLength(message) > config.maxPostSize) throw fail('messageLength');
}

function checkProps(props: Record<string, unknown>): void {
  if (goJsonRunes(props) > MAX_PROPS_RUNES) throw fail('propsLength');
}

function checkFileIdCount(fileIds: string[]): void {
  if (runeLength(JSON.stringify(fileIds)) > POST_FILEIDS_MAX_RUNES) throw fail('fileIds');
}

// ---------------------------------------------------------------------------------------------
// Incoming webhooks: POST /hooks/{id}

interface WebhookPayload {
  text: string;
  username: string;
  icon_url: string;
  icon_emoji: string;
  channel: string;
  type: string;
  props: Record<string, unknown> | undefined;
  attachments: unknown[] | undefined; // undefined when the key is missing or null
  priority: Record<string, unknown> | undefined;
}

// Mattermost's retry for sloppy JSON: escape raw newlines and tabs inside the values of a few
// well-known keys, then decode again.
function escapeControlChars(raw: string): string {
  return raw.replace(
    /"(?:text|fallback|pretext|author_name|title|value)"\s*:\s*"(?:\\"|[^"])*"/g,
    (m) => m.replaceAll('\n', '\\n').replaceAll('\t', '\\t'),
  );
}

function toWebhookPayload(value: unknown): WebhookPayload | undefined {
  if (value === null) value = {};
  if (!isRecord(value)) return undefined;
  const strings = ['text', 'username', 'icon_url', 'icon_emoji', 'channel', 'type', 'root_id'];
  for (const key of strings) {
    if (value[key] !== undefined && value[key] !== null && typeof value[key] !== 'string') {
      return undefined;
    }
  }
  const { props, attachments, priority } = value;
  if (props !== undefined && props !== null && !isRecord(props)) return undefined;
  if (attachments !== undefined && attachments !== null && !Array.isArray(attachments))
    return undefined;
  if (priority !== undefined && priority !== null && !isRecord(priority)) return undefined;
  const str = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : '');
  return {
    text: str('text'),
    username: str('username'),
    icon_url: str('icon_url'),
    icon_emoji: str('icon_emoji'),
    channel: str('channel'),
    type: str('type'),
    props: isRecord(props) ? props : undefined,
    attachments: Array.isArray(attachments) ? attachments : undefined,
    priority: isRecord(priority) ? priority : undefined,
  };
}

function parseWebhookPayload(call: Call): WebhookPayload {
  const mediaType = (call.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const raw =
    mediaType === 'application/x-www-form-urlencoded'
      ? (new URLSearchParams(call.text).get('payload') ?? '')
      : call.text;
  const payload =
    toWebhookPayload(parseJson(raw)) ?? toWebhookPayload(parseJson(escapeControlChars(raw)));
  if (!payload) throw fail('hookParse');
  return payload;
}

function slackText(s: State, text: string): string {
  return text
    .replaceAll('<!channel>', '@channel')
    .replaceAll('<!here>', '@here')
    .replaceAll('<!all>', '@all')
    .replace(/<@([a-z0-9]{26})>/g, (m, id: string) => {
      const user = s.users.get(id);
      return user ? `@${user.username}` : m;
    })
    .replace(/<([^\n<|>]+)\|([^\n>]+)>/g, '[$2]($1)');
}

function slackAttachments(s: State, attachments: unknown[]): Record<string, unknown>[] {
  return attachments.filter(isRecord).map((attachment) => {
    const out: Record<string, unknown> = { ...attachment };
    for (const key of ['pretext', 'text', 'title']) {
      const value = out[key];
      if (typeof value === 'string') out[key] = slackText(s, value);
    }
    if (Array.isArray(out.fields)) {
      out.fields = out.fields.filter(isRecord).map((field) => {
        const value = field.value;
        if (value === undefined || value === null) return field;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        return { ...field, value: slackText(s, text) };
      });
    }
    return out;
  });
}

function webhookTargetChannel(
  s: State,
  config: ServerConfig,
  hook: IncomingHook,
  target: string,
): Channel {
  if (target === '') {
    const own = s.channels.get(hook.channel_id);
    if (!own) throw fail('channelMissing');
    return own;
  }
  if (target.startsWith('@')) {
    const user = userByUsername(s, target.slice(1));
    if (!user) throw fail('hookUser');
    return getOrCreateDirectChannel(s, config, hook.user_id, user.id);
  }
  const name = target.startsWith('#') ? target.slice(1) : target;
  const channel = channelByName(s, hook.team_id, name);
  if (!channel) throw fail('hookChannel');
  return channel;
}

// `incomingWebhook` in `server/channels/web/webhook.go`: the inner id stays in the wrapped error,
// which outside developer mode never reaches the client; the message names the hook id.
function wrapWebhookError(error: unknown, hookId: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const decode = error.id === ERRORS.hookParse[1];
  const [, id, message] = decode ? ERRORS.hookDecode : ERRORS.hookGeneral;
  return new ApiError(decode ? 400 : error.status, id, `${message.replace(/\.$/, '')} ${hookId}.`);
}

function handleIncomingWebhook(s: State, call: Call, hookId: string): Reply {
  const payload = parseWebhookPayload(call);
  const { config } = call;
  if (!config.enableIncomingWebhooks) throw fail('hooksDisabled');
  if (payload.text === '' && payload.attachments === undefined) throw fail('hookText');
  const hook = s.hooks.get(hookId);
  if (hook?.delete_at !== 0) throw fail('hookInvalid');
  const channel = webhookTargetChannel(s, config, hook, payload.channel);
  if (hook.channel_locked && channel.id !== hook.channel_id) throw fail('hookLocked');
  const creator = s.users.get(hook.user_id);
  if (!creator || (channel.type !== 'O' && !canReadChannel(s, creator, channel))) {
    throw fail('hookPermissions');
  }
  if (payload.type.startsWith('system_')) throw fail('invalidParam', 'post.type');
  if (payload.priority && typeof payload.priority.priority !== 'string') {
    throw fail('invalidParam', 'post.priority');
  }
  // CreateWebhookPost (`server/channels/app/webhook.go`): a post that fails Post.IsValid, e.g. on
  // its type, comes back as a 500.
  if (!isAcceptedPostType(payload.type))
    throw fail('hookCreating', 'model.post.is_valid.type.app_error');

  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload.props ?? {})) {
    const reserved = ['attachments', 'override_icon_url', 'override_username', 'from_webhook'];
    if (!reserved.includes(key)) props[key] = value;
  }
  props.webhook_display_name = hook.display_name;
  if (config.enablePostUsernameOverride) {
    props.override_username = payload.username || hook.username || 'webhook';
  }
  if (config.enablePostIconOverride) {
    const iconUrl = payload.icon_url || hook.icon_url;
    if (iconUrl) props.override_icon_url = iconUrl;
    if (payload.icon_emoji) props.override_icon_emoji = payload.icon_emoji;
  }
  props.from_webhook = 'true';
  if (goJsonRunes(props) > MAX_PROPS_RUNES) throw fail('hookPropsTooLong');

  const attachments = slackAttachments(s, payload.attachments ?? []);
  const type = attachments.length > 0 ? 'slack_attachment' : payload.type;
  const metadata = payload.priority ? { priority: { ...payload.priority } } : {};
  const pieces = splitRunes(slackText(s, payload.text), config.maxPostSize);
  pieces.forEach((message, index) => {
    const last = index === pieces.length - 1;
    savePost(s, {
      channel_id: channel.id,
      user_id: hook.user_id,
      message,
      type,
      // Slack compatibility: the attachments ride on the last piece of a split message.
      props: last && attachments.length > 0 ? { ...props, attachments } : { ...props },
      metadata: structuredClone(metadata),
      via: 'webhook',
    });
  });
  return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' };
}

// ---------------------------------------------------------------------------------------------
// REST API v4 routes (paths relative to /api/v4)

function getMe(_s: State, call: ApiCall): Reply {
  return jsonReply(200, { ...call.user });
}

function getUsersByUsernames(s: State, call: ApiCall): Reply {
  const found = bodyStringArray(call, 'usernames')
    .map((name) => userByUsername(s, name))
    .filter((user): user is User => user !== undefined);
  return jsonReply(
    200,
    found.map((user) => sanitizeUser(user, call.user, call.config)),
  );
}

function getUserByUsername(s: State, call: ApiCall): Reply {
  const user = userByUsername(s, call.params[0] ?? '');
  if (!user) throw fail('userByUsername');
  return jsonReply(200, sanitizeUser(user, call.user, call.config));
}

function getUserByEmail(s: State, call: ApiCall): Reply {
  if (!call.config.showEmailAddress && !isSystemAdmin(call.user)) throw fail('userByEmailHidden');
  const email = (call.params[0] ?? '').toLowerCase();
  const user = [...s.users.values()].find((u) => u.email.toLowerCase() === email);
  if (!user) throw fail('userMissing');
  return jsonReply(200, sanitizeUser(user, call.user, call.config));
}

function createDirectChannel(s: State, call: ApiCall): Reply {
  const ids = bodyStringArray(call, 'user_ids');
  const [a, b] = ids;
  if (ids.length !== 2 || a === undefined || b === undefined) throw fail('invalidBody', 'user_ids');
  const isParty = a === call.user.id || b === call.user.id;
  if (!isParty && !isSystemAdmin(call.user)) throw fail('forbidden');
  return jsonReply(201, getOrCreateDirectChannel(s, call.config, a, b));
}

function createGroupChannel(s: State, call: ApiCall): Reply {
  const ids = new Set(bodyStringArray(call, 'user_ids'));
  ids.add(call.user.id); // Mattermost adds the caller when it is missing
  if (ids.size < 3 || ids.size > 8) throw fail('groupBadSize');
  const users = [...ids].map((id) => s.users.get(id));
  if (users.some((user) => user === undefined)) throw fail('groupBadUser');
  const sorted = [...ids].sort();
  const name = createHash('sha1').update(sorted.join('')).digest('hex');
  const channel =
    channelByName(s, '', name) ??
    addChannelRecord(
      s,
      {
        team_id: '',
        name,
        display_name: users.map((user) => user?.username).join(', '),
        type: 'G',
        creator_id: call.user.id,
      },
      sorted,
    );
  return jsonReply(201, channel);
}

function getChannel(s: State, call: ApiCall): Reply {
  const channel = s.channels.get(call.params[0] ?? '');
  if (!channel) throw fail('channelMissing');
  if (!canReadChannel(s, call.user, channel)) throw fail('forbidden');
  return jsonReply(200, channel);
}

// RequireTeamName / RequireChannelName (`server/channels/web/context.go`): names are lowercase
// (`IsValidTeamName`, `IsValidChannelIdentifier`); anything else is an invalid URL parameter.
const TEAM_NAME = /^[a-z0-9]+([a-z0-9-]*[a-z0-9])?$/;
const CHANNEL_NAME = /^[a-z0-9]+([a-z0-9_-]*[a-z0-9])?$/;

function getChannelByTeamAndName(s: State, call: ApiCall): Reply {
  const [teamName = '', channelName = ''] = call.params;
  if (!TEAM_NAME.test(teamName) || teamName.length > 64) throw fail('invalidUrlParam', 'team_name');
  if (!CHANNEL_NAME.test(channelName) || channelName.length > 64) {
    throw fail('invalidUrlParam', 'channel_name');
  }
  const team = [...s.teams.values()].find((t) => t.name === teamName);
  if (!team) throw fail('teamByNameMissing');
  const channel = channelByName(s, team.id, channelName);
  if (!channel) throw fail('channelByNameMissing');
  if (channel.type === 'O') {
    if (!canReadChannel(s, call.user, channel)) throw fail('forbidden');
  } else if (!isChannelMember(s, call.user.id, channel.id) && !isSystemAdmin(call.user)) {
    throw fail('channelByNameMissing'); // a private channel's existence is hidden
  }
  return jsonReply(200, channel);
}

function getClientConfig(call: Call, user: User | undefined): Reply {
  const format = call.query.format;
  if (!format) throw fail('clientConfigFormat');
  if (format !== 'old') throw fail('invalidParam', 'format');
  const limited = { Version: SERVER_VERSION, BuildNumber: SERVER_VERSION, SiteName: 'Mattermost' };
  if (!user) return jsonReply(200, limited);
  return jsonReply(200, {
    ...limited,
    MaxPostSize: String(call.config.maxPostSize),
    EnableFileAttachments: String(call.config.enableFileAttachments),
    ShowEmailAddress: String(call.config.showEmailAddress),
    RestrictDirectMessage: call.config.restrictDirectMessage,
  });
}

// postPriorityCheck (`server/channels/app/post_permission_utils.go`): priority must be enabled,
// and only a root post may carry one.
function checkPriority(config: ServerConfig, rootId: string): void {
  if (!config.postPriority) throw fail('priorityNotAllowed');
  if (rootId !== '') throw fail('priorityRootOnly');
}

function checkRoot(s: State, rootId: string, channelId: string): void {
  if (rootId === '') return;
  const root = s.posts.get(rootId);
  if (root?.root_id !== '') throw fail('rootId');
  if (root.channel_id !== channelId) throw fail('rootChannel');
}

function isAcceptedPostType(type: string): boolean {
  return type === '' || type === 'slack_attachment' || type.startsWith('custom_');
}

function checkPostType(type: string): void {
  if (!isAcceptedPostType(type)) throw fail('postType');
}

/** The pending post id's state: undefined (unseen or expired), or the saved post id, or '' while saving. */
function seenPendingPostId(s: State, key: string): string | undefined {
  const entry = s.pendingPostIds.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= Date.now()) {
    s.pendingPostIds.delete(key);
    return undefined;
  }
  return entry.postId ?? '';
}

async function createPost(s: State, call: ApiCall): Promise<Reply> {
  const body = bodyObject(call, 'post');
  const channel = s.channels.get(optString(body, 'channel_id'));
  if (!channel || !canPostInChannel(s, call.user, channel)) throw fail('forbidden');
  const type = optString(body, 'type');
  if (type.startsWith('system_')) throw fail('invalidParam', 'post.type');

  const pendingPostId = optString(body, 'pending_post_id');
  if (pendingPostId !== '') {
    const seen = seenPendingPostId(s, pendingPostId);
    if (seen === '') throw fail('postPending');
    const earlier = seen === undefined ? undefined : s.posts.get(seen);
    // deduplicateCreatePost loads the saved post with GetSinglePost, which hides deleted posts.
    if (earlier?.delete_at) throw threadFail('dedupFailedToGet');
    if (earlier) return jsonReply(201, postJson(s, earlier));
    s.pendingPostIds.set(pendingPostId, {
      postId: undefined,
      expiresAt: Date.now() + PENDING_POST_ID_TTL_MS,
    });
  }
  // An injected delay happens here, while the pending post id is registered, so a concurrent
  // retry sees "still being saved".
  await call.hold();
  try {
    const post = validateAndSavePost(s, call, body, channel, type, pendingPostId);
    if (pendingPostId !== '') {
      s.pendingPostIds.set(pendingPostId, {
        postId: post.id,
        expiresAt: Date.now() + PENDING_POST_ID_TTL_MS,
      });
    }
    return jsonReply(201, postJson(s, post));
  } catch (error) {
    if (pendingPostId !== '') s.pendingPostIds.delete(pendingPostId);
    throw error;
  }
}

function validateAndSavePost(
  s: State,
  call: ApiCall,
  body: Record<string, unknown>,
  channel: Channel,
  type: string,
  pendingPostId: string,
): StoredPost {
  const message = optString(body, 'message');
  const rootId = optString(body, 'root_id');
  const props = optRecord(body, 'props') ?? {};
  const fileIds = optStringArray(body, 'file_ids') ?? [];
  const priority = optRecord(body, 'metadata')?.priority;
  if (priority !== undefined && priority !== null) checkPriority(call.config, rootId);
  checkRoot(s, rootId, channel.id);
  checkMessageLength(message, call.config);
  checkProps(props);
  checkFileIdCount(fileIds);
  checkPostType(type);
  // Like Mattermost, file ids that cannot be attached (unknown, another channel or uploader,
  // already used) are dropped silently.
  const files = fileIds
    .map((id) => s.files.get(id))
    .filter(
      (f): f is StoredFile =>
        f !== undefined &&
        f.channel_id === channel.id &&
        f.user_id === call.user.id &&
        f.post_id === '',
    );
  const metadata: Record<string, unknown> = {};
  if (isRecord(priority)) metadata.priority = { ...priority };
  if (files.length > 0) metadata.files = files.map(fileInfoJson);
  const post = savePost(s, {
    channel_id: channel.id,
    user_id: call.user.id,
    message,
    root_id: rootId,
    props: { ...props },
    file_ids: files.map((f) => f.id),
    metadata,
    type,
    pending_post_id: pendingPostId,
    via: 'api',
  });
  for (const file of files) file.post_id = post.id;
  return post;
}

function postForCaller(s: State, call: ApiCall): StoredPost {
  const post = s.posts.get(call.params[0] ?? '');
  if (!post || post.delete_at) throw fail('postMissing');
  return post;
}

function getPost(s: State, call: ApiCall): Reply {
  const post = postForCaller(s, call);
  const channel = s.channels.get(post.channel_id);
  if (!channel || !canReadChannel(s, call.user, channel)) throw fail('forbidden');
  return jsonReply(200, postJson(s, post));
}

function patchPost(s: State, call: ApiCall): Reply {
  const patch = bodyObject(call, 'patch');
  // postPatchChecks (`server/channels/api4/post.go`) checks the edit permission on the post id
  // before loading the post, so an unknown id is a 403, not a 404.
  const post = s.posts.get(call.params[0] ?? '');
  if (!post) throw fail('forbidden');
  if (post.user_id !== call.user.id && !isSystemAdmin(call.user)) throw fail('forbidden');
  const message = patch.message === undefined ? undefined : optString(patch, 'message');
  const props = optRecord(patch, 'props');
  const fileIds = optStringArray(patch, 'file_ids');
  if (message !== undefined) checkMessageLength(message, call.config);
  if (props) checkProps(props);
  if (fileIds) checkFileIdCount(fileIds);
  if (message !== undefined) post.message = message;
  if (props) post.props = { ...props };
  if (fileIds) post.file_ids = [...fileIds];
  post.update_at = Date.now();
  post.edit_at = post.update_at;
  return jsonReply(200, postJson(s, post));
}

const MIME_TYPES: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

function uploadFiles(s: State, call: ApiCall): Reply {
  if (!call.config.enableFileAttachments) throw fail('attachmentsDisabled');
  if (call.body.length > call.config.maxFileSize + FILE_BODY_SLACK_BYTES)
    throw fail('fileTooLarge');
  const contentType = call.headers['content-type'] ?? '';
  let channelId = call.query.channel_id ?? '';
  const clientIds: string[] = [];
  const uploads: { name: string; contentType: string | undefined; data: Buffer }[] = [];
  if (/^multipart\/form-data/i.test(contentType)) {
    const parts = parseMultipart(call.body, contentType);
    if (!parts) throw fail('multipartUnreadable');
    for (const part of parts) {
      if (part.filename === undefined) {
        const value = part.data.toString('utf8');
        if (part.name === 'channel_id') channelId = value;
        else if (part.name === 'client_ids') clientIds.push(value);
        else throw fail('invalidParam', part.name);
      } else {
        // Mattermost streams the parts: the channel must be known before the first file.
        if (channelId === '') throw fail('invalidParam', 'channel_id');
        uploads.push({ name: part.filename, contentType: part.contentType, data: part.data });
      }
    }
  } else if (call.query.filename) {
    uploads.push({ name: call.query.filename, contentType: undefined, data: call.body });
  }
  if (channelId === '') throw fail('invalidParam', 'channel_id');
  const channel = s.channels.get(channelId);
  if (!channel || !canPostInChannel(s, call.user, channel)) throw fail('forbidden');
  if (uploads.length === 0) throw fail('fileCount');
  if (clientIds.length > 0 && clientIds.length !== uploads.length) throw fail('clientIdCount');
  const infos = uploads.map((upload) => {
    const extension = upload.name.includes('.')
      ? (upload.name.split('.').pop() ?? '').toLowerCase()
      : '';
    const file: StoredFile = {
      id: newId(),
      channel_id: channel.id,
      user_id: call.user.id,
      post_id: '',
      name: upload.name,
      extension,
      size: upload.data.length,
      mime_type: MIME_TYPES[extension] ?? upload.contentType ?? 'application/octet-stream',
      create_at: Date.now(),
      content: upload.data,
    };
    s.files.set(file.id, file);
    return fileInfoJson(file);
  });
  return jsonReply(201, { file_infos: infos, client_ids: clientIds });
}

// ---------------------------------------------------------------------------------------------
// Threads across runs (issue 12): a channel's posts, and reactions.

export interface StoredReaction {
  user_id: string;
  post_id: string;
  emoji_name: string;
  channel_id: string;
  create_at: number;
}

// biome-ignore format: a table reads better unwrapped
const THREAD_ERRORS = {
  reactionInvalid: [400, 'api.reaction.save_reaction.invalid.app_error', 'Invalid reaction.'],
  reactionUserId: [403, 'api.reaction.save_reaction.user_id.app_error', 'You can not save reaction for the other user.'],
  tooManyReactions: [400, 'app.reaction.save.save.too_many_reactions', 'Reaction limit has been reached for this post.'],
  emojiMissing: [404, 'app.emoji.get_by_name.no_result', 'Unable to find the emoji.'],
  dedupFailedToGet: [500, 'api.post.deduplicate_create_post.failed_to_get', 'Failed to get the post for this pending_post_id.'],
  invalidUrlParam: [400, 'api.context.invalid_url_param.app_error', 'Invalid or missing parameter in request URL.'],
} as const satisfies Record<string, readonly [number, string, string]>;

function threadFail(name: keyof typeof THREAD_ERRORS): ApiError {
  const [status, id, message] = THREAD_ERRORS[name];
  return new ApiError(status, id, message);
}

/** ServiceSettings.UniqueEmojiReactionLimitPerPost, default 50 (model/config.go). */
const UNIQUE_REACTION_LIMIT = 50;
/** model.EmojiNameMaxLength and the name pattern of model.IsValidEmojiName. */
const EMOJI_NAME = /^[a-zA-Z0-9_+-]{1,64}$/;

// The system emoji Mattermost knows (model.GetSystemEmojiId) come from emoji-datasource, as the
// web app's emoji list does; a name outside it would be looked up as a custom emoji, and there are
// none here.
let systemEmoji: Set<string> | undefined;
function isSystemEmoji(name: string): boolean {
  systemEmoji ??= new Set(
    (
      createRequire(import.meta.url)('emoji-datasource/emoji.json') as { short_names: string[] }[]
    ).flatMap((emoji) => emoji.short_names),
  );
  return systemEmoji.has(name);
}

function livePost(s: State, id: string): StoredPost | undefined {
  const post = s.posts.get(id);
  return post && !post.delete_at ? post : undefined;
}

/** `SessionHasPermissionToChannelByPost`: an unknown post fails the permission check (403). */
function channelByPostForCaller(s: State, call: ApiCall, postId: string): Channel {
  const post = s.posts.get(postId);
  const channel = post ? s.channels.get(post.channel_id) : undefined;
  if (!channel || !canReadChannel(s, call.user, channel)) throw fail('forbidden');
  return channel;
}

/**
 * GET /channels/{channel_id}/posts (api4/post.go getPostsForChannel, app GetPostsPage, store
 * SqlPostStore.GetPosts): `page` and `per_page` (default 60, at most 200: web/params.go), newest
 * first, deleted posts left out. `collapsedThreads=true` pages over root posts only
 * (getPostsCollapsedThreads: `RootId = ''`); otherwise the page holds roots and replies, and
 * `posts` also carries the roots of the replies on the page (getParentsPosts) outside `order`.
 * `since`, `before` and `after` are not used by the action and not served here.
 */
function getPostsForChannel(s: State, call: ApiCall): Reply {
  const channel = s.channels.get(call.params[0] ?? '');
  if (!channel) throw fail('channelMissing');
  if (!canReadChannel(s, call.user, channel)) throw fail('forbidden');
  const number = (name: string, fallback: number) => {
    const value = Number.parseInt(call.query[name] ?? '', 10);
    return Number.isNaN(value) || value < 0 ? fallback : value;
  };
  const page = number('page', 0);
  const perPage = Math.min(number('per_page', 60), 200);
  const collapsed =
    call.config.collapsedThreads && /^(1|t|true)$/i.test(call.query.collapsedThreads ?? '');
  const newestFirst = [...s.posts.values()]
    .map((post, index) => ({ post, index }))
    .filter(({ post }) => post.channel_id === channel.id && !post.delete_at)
    .filter(({ post }) => !collapsed || post.root_id === '')
    .sort((a, b) => b.post.create_at - a.post.create_at || b.index - a.index)
    .map(({ post }) => post);
  // A burn-on-read post whose read receipt has expired leaves the page after the query
  // (GetPostsPage → revealBurnOnReadPostsForUser → removePostFromList): a page can be short with
  // older posts still to come. Here every other user's burn-on-read post counts as expired.
  const onPage = newestFirst
    .slice(page * perPage, page * perPage + perPage)
    .filter((post) => post.type !== 'burn_on_read' || post.user_id === call.user.id);
  const posts: Record<string, unknown> = {};
  for (const post of onPage) {
    posts[post.id] = postJson(s, post);
    const parent = post.root_id ? livePost(s, post.root_id) : undefined;
    if (parent) posts[parent.id] = postJson(s, parent);
  }
  // AddCursorIdsForPostList on a `page` query: prev_post_id is the newest post (a root one with
  // collapsedThreads) older than the page's last, whatever the filters; '' for an empty page.
  // (The server compares CreateAt; posts made here in the same millisecond go by their order.)
  // No has_next: only search results carry it.
  const last = onPage.at(-1);
  const prev = last && newestFirst[newestFirst.indexOf(last) + 1];
  return jsonReply(200, {
    order: onPage.map((post) => post.id),
    posts,
    next_post_id: '',
    prev_post_id: prev?.id ?? '',
  });
}

/**
 * POST /reactions (api4/reaction.go saveReaction, app/reaction.go SaveReactionForPost). Saving a
 * reaction that exists saves it again (an upsert), so adding twice is no error. The handler never
 * calls WriteHeader, so the answer is 200 (the OpenAPI file says 201).
 */
function saveReaction(s: State, call: ApiCall): Reply {
  const body = bodyObject(call, 'reaction');
  const userId = optString(body, 'user_id');
  const postId = optString(body, 'post_id');
  const emoji = optString(body, 'emoji_name');
  const isId = (id: string) => /^[a-z0-9]{26}$/.test(id);
  if (!isId(userId) || !isId(postId) || emoji === '' || emoji.length > 64) {
    throw threadFail('reactionInvalid');
  }
  if (userId !== call.user.id) throw threadFail('reactionUserId');
  const channel = channelByPostForCaller(s, call, postId);
  if (!livePost(s, postId)) throw fail('postMissing');
  if (!isSystemEmoji(emoji)) throw threadFail('emojiMissing');
  const onPost = [...s.reactions.values()].filter((r) => r.post_id === postId);
  const names = new Set(onPost.map((r) => r.emoji_name));
  if (!names.has(emoji) && names.size >= UNIQUE_REACTION_LIMIT)
    throw threadFail('tooManyReactions');
  const key = `${postId}:${userId}:${emoji}`;
  const reaction: StoredReaction = s.reactions.get(key) ?? {
    user_id: userId,
    post_id: postId,
    emoji_name: emoji,
    channel_id: channel.id,
    create_at: Date.now(),
  };
  s.reactions.set(key, reaction);
  return jsonReply(200, reaction);
}

/**
 * DELETE /users/{user_id}/posts/{post_id}/reactions/{emoji_name} (api4/reaction.go
 * deleteReaction): another user's reaction needs `remove_others_reactions` (system admins); a
 * reaction that is not there deletes nothing and still answers 200 `{"status":"OK"}`.
 */
function deleteReaction(s: State, call: ApiCall): Reply {
  const [userId = '', postId = '', emoji = ''] = call.params;
  if (!EMOJI_NAME.test(emoji)) throw threadFail('invalidUrlParam');
  channelByPostForCaller(s, call, postId);
  if (userId !== call.user.id && !isSystemAdmin(call.user)) throw fail('forbidden');
  if (!livePost(s, postId)) throw fail('postMissing');
  s.reactions.delete(`${postId}:${userId}:${emoji}`);
  return jsonReply(200, { status: 'OK' });
}

const THREAD_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/channels\/([^/]+)\/posts$/, handle: getPostsForChannel },
  { method: 'POST', pattern: /^\/reactions$/, handle: saveReaction },
  {
    method: 'DELETE',
    pattern: /^\/users\/([^/]+)\/posts\/([^/]+)\/reactions\/([^/]+)$/,
    handle: deleteReaction,
  },
];

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/users\/me$/, handle: getMe },
  { method: 'POST', pattern: /^\/users\/usernames$/, handle: getUsersByUsernames },
  { method: 'GET', pattern: /^\/users\/username\/([^/]+)$/, handle: getUserByUsername },
  { method: 'GET', pattern: /^\/users\/email\/([^/]+)$/, handle: getUserByEmail },
  { method: 'POST', pattern: /^\/channels\/direct$/, handle: createDirectChannel },
  { method: 'POST', pattern: /^\/channels\/group$/, handle: createGroupChannel },
  { method: 'GET', pattern: /^\/channels\/([^/]+)$/, handle: getChannel },
  {
    method: 'GET',
    pattern: /^\/teams\/name\/([^/]+)\/channels\/name\/([^/]+)$/,
    handle: getChannelByTeamAndName,
  },
  { method: 'POST', pattern: /^\/posts$/, handle: createPost, holdsItself: true },
  { method: 'PUT', pattern: /^\/posts\/([^/]+)\/patch$/, handle: patchPost },
  { method: 'GET', pattern: /^\/posts\/([^/]+)$/, handle: getPost },
  { method: 'POST', pattern: /^\/files$/, handle: uploadFiles },
  ...THREAD_ROUTES,
];

// ---------------------------------------------------------------------------------------------

export class MattermostTestServer {
  readonly url: string;
  config: ServerConfig;
  readonly requests: RecordedRequest[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly peakInFlight = new Map<string, number>();
  private readonly s: State = {
    teams: new Map(),
    users: new Map(),
    channels: new Map(),
    teamMembers: new Map(),
    channelMembers: new Map(),
    tokens: new Map(),
    hooks: new Map(),
    posts: new Map(),
    files: new Map(),
    pendingPostIds: new Map(),
    reactions: new Map(),
  };
  private readonly faults: { fault: Fault; remaining: number }[] = [];
  /** Rate-limit key → theoretical arrival time (ms). */
  private readonly buckets = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(
    private readonly server: Server,
    config: ServerConfig,
  ) {
    this.config = config;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(config: Partial<ServerConfig> = {}): Promise<MattermostTestServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const instance = new MattermostTestServer(server, { ...defaultServerConfig(), ...config });
    openApi(); // a missing spec folder or a schema that does not compile fails here, by name
    server.on('request', (req, res) => {
      const route = `${(req.method ?? 'GET').toUpperCase()} ${new URL(req.url ?? '/', 'http://127.0.0.1').pathname}`;
      instance.started(route);
      res.once('close', () =>
        instance.inFlight.set(route, (instance.inFlight.get(route) ?? 1) - 1),
      );
      instance.onRequest(req, res).catch((error: unknown) => instance.failed(req, res, error));
    });
    return instance;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // --- fixtures ---------------------------------------------------------------------------------

  addTeam(t: { name: string; display_name?: string }): Team {
    const now = Date.now();
    const team: Team = {
      id: newId(),
      name: t.name,
      display_name: t.display_name ?? t.name,
      type: 'O',
      create_at: now,
      update_at: now,
      delete_at: 0,
    };
    this.s.teams.set(team.id, team);
    this.s.teamMembers.set(team.id, new Set());
    return team;
  }

  addUser(u: {
    username: string;
    email?: string;
    teams?: string[];
    is_bot?: boolean;
    roles?: string;
  }): User {
    const now = Date.now();
    const username = u.username.toLowerCase();
    const user: User = {
      id: newId(),
      username,
      email: u.email ?? `${username}@example.com`,
      first_name: '',
      last_name: '',
      nickname: '',
      roles: u.roles ?? 'system_user',
      is_bot: u.is_bot ?? false,
      locale: 'en',
      create_at: now,
      update_at: now,
      delete_at: 0,
    };
    this.s.users.set(user.id, user);
    for (const teamName of u.teams ?? [])
      this.teamMembers(this.teamByName(teamName).id).add(user.id);
    return user;
  }

  addBot(b: { username: string; teams?: string[]; systemAdmin?: boolean }): {
    user: User;
    token: string;
  } {
    const user = this.addUser({
      username: b.username,
      email: '',
      teams: b.teams ?? [],
      is_bot: true,
      roles: b.systemAdmin ? 'system_user system_admin' : 'system_user',
    });
    return { user, token: this.addToken(user.id) };
  }

  /** A personal access token for any user. */
  addToken(userId: string): string {
    if (!this.s.users.has(userId)) throw new Error(`addToken: no user ${userId}`);
    const token = newId();
    this.s.tokens.set(token, userId);
    return token;
  }

  /** Channel members are added to the channel's team too, as Mattermost requires. */
  addChannel(c: {
    team: string;
    name: string;
    type?: 'O' | 'P';
    display_name?: string;
    members?: string[];
  }): Channel {
    const team = this.teamByName(c.team);
    const members = c.members ?? [];
    for (const id of members) {
      if (!this.s.users.has(id)) throw new Error(`addChannel: no user ${id}`);
      this.teamMembers(team.id).add(id);
    }
    return addChannelRecord(
      this.s,
      {
        team_id: team.id,
        name: c.name,
        display_name: c.display_name ?? c.name,
        type: c.type ?? 'O',
        creator_id: members[0] ?? '',
      },
      members,
    );
  }

  addIncomingWebhook(h: {
    channel: string;
    creator: string;
    channelLocked?: boolean;
    username?: string;
    icon_url?: string;
  }): { id: string; url: string } {
    const channel = this.s.channels.get(h.channel);
    if (!channel) throw new Error(`addIncomingWebhook: no channel ${h.channel}`);
    if (!this.s.users.has(h.creator)) throw new Error(`addIncomingWebhook: no user ${h.creator}`);
    const hook: IncomingHook = {
      id: newId(),
      channel_id: channel.id,
      team_id: channel.team_id,
      user_id: h.creator,
      channel_locked: h.channelLocked ?? false,
      username: h.username ?? '',
      icon_url: h.icon_url ?? '',
      display_name: '',
      delete_at: 0,
    };
    this.s.hooks.set(hook.id, hook);
    return { id: hook.id, url: `${this.url}/hooks/${hook.id}` };
  }

  addPost(p: {
    channel_id: string;
    user_id: string;
    message: string;
    root_id?: string;
    create_at?: number;
    props?: Record<string, unknown>;
    /** e.g. `burn_on_read`, which a bot cannot create but other users can. */
    type?: string;
  }): StoredPost {
    if (!this.s.channels.has(p.channel_id)) throw new Error(`addPost: no channel ${p.channel_id}`);
    return savePost(this.s, { ...p, root_id: p.root_id ?? '', via: 'api' });
  }

  /** As a user deleting the post in the web app (a soft delete: DeleteAt set). */
  deletePost(id: string): void {
    const post = this.s.posts.get(id);
    if (post) post.delete_at = Date.now();
  }

  /** The reactions on a post, in the order they were made. */
  reactionsOn(postId: string): StoredReaction[] {
    return [...this.s.reactions.values()].filter((r) => r.post_id === postId);
  }

  deleteIncomingWebhook(id: string): void {
    const hook = this.s.hooks.get(id);
    if (hook) hook.delete_at = Date.now();
  }

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  // --- inspection -------------------------------------------------------------------------------

  /** The most requests to `METHOD /path` this server was handling at one time since clearLog. */
  mostInFlight(method: string, path: string): number {
    return this.peakInFlight.get(`${method.toUpperCase()} ${path}`) ?? 0;
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method.toUpperCase() && matchesPath(path, r.path),
    );
  }

  posts(filter: { channel_id?: string } = {}): StoredPost[] {
    return [...this.s.posts.values()].filter(
      (p) => filter.channel_id === undefined || p.channel_id === filter.channel_id,
    );
  }

  directChannel(userIdA: string, userIdB: string): Channel | undefined {
    return channelByName(this.s, '', [userIdA, userIdB].sort().join('__'));
  }

  /**
   * The author name the web app shows for a post: the override only on a post marked as from a
   * webhook, and only where the server allows overrides (`isFromWebhook` in
   * `webapp/.../post_utils.ts`, used by `user_profile.tsx`).
   */
  shownUsername(post: StoredPost): string {
    const override = post.props.override_username;
    const fromWebhook = post.props.from_webhook === 'true';
    if (fromWebhook && this.config.enablePostUsernameOverride && typeof override === 'string') {
      return override;
    }
    return this.s.users.get(post.user_id)?.username ?? '';
  }

  uploadedFiles(): UploadedFile[] {
    return [...this.s.files.values()].map((f) => ({
      id: f.id,
      channel_id: f.channel_id,
      name: f.name,
      size: f.size,
      content: f.content,
    }));
  }

  clearLog(): void {
    this.requests.length = 0;
    this.peakInFlight.clear();
  }

  /**
   * Takes this server's request violations, for a test that sends a request the real API would
   * refuse on purpose (to see the server refuse it); answers stay checked.
   */
  takeRequestViolations(): OpenApiViolation[] {
    const mine = violations.filter((v) => v.server === this.url && v.kind === 'request');
    for (const v of mine) violations.splice(violations.indexOf(v), 1);
    return mine;
  }

  // --- request pipeline -------------------------------------------------------------------------

  private teamByName(name: string): Team {
    const team = [...this.s.teams.values()].find((t) => t.name === name);
    if (!team) throw new Error(`no team named ${name}`);
    return team;
  }

  private teamMembers(teamId: string): Set<string> {
    let members = this.s.teamMembers.get(teamId);
    if (!members) {
      members = new Set();
      this.s.teamMembers.set(teamId, members);
    }
    return members;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    // Timers are cleared by stop(), leaving the request unanswered rather than answering late.
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(
      ({ fault, remaining }) =>
        remaining > 0 &&
        (fault.method === undefined || fault.method.toUpperCase() === method) &&
        (fault.path === undefined || matchesPath(fault.path, path)),
    );
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const text = body.toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body,
      text,
      json: parseJson(text),
      at,
    });
    const checked: CheckedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'],
      body,
    };
    this.check('request', checked, openApi().checkRequest(checked));
    checkedRequests += 1;
    const requestId = newId();
    const config = this.config;
    await this.sleep(config.latencyMs);

    // A fault with a status or `drop` answers instead of the server: before handling, or after
    // it with `afterHandling` (the post is saved, the response is lost). Any fault's delayMs
    // comes before handling.
    const fault = this.takeFault(method, url.pathname);
    const replacing = fault?.drop || fault?.status !== undefined ? fault : undefined;
    if (replacing && !replacing.afterHandling) {
      await this.sleep(replacing.delayMs ?? 0);
      this.answerFault(req, res, replacing, requestId, config);
      return;
    }
    let held = false;
    const hold = async () => {
      if (held) return;
      held = true;
      await this.sleep(fault?.delayMs ?? 0);
    };
    const call: Call = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      text,
      config,
      hold,
    };
    const reply = await this.serve(call, requestId, req.socket.remoteAddress ?? '');
    await hold(); // a no-op unless the route never reached its hold
    if (replacing) {
      this.answerFault(req, res, replacing, requestId, config);
      return;
    }
    // Injected faults stand in for proxies and other servers; the server's own answers must
    // be ones the published API describes.
    const contentType = reply.headers['Content-Type'];
    this.check(
      'response',
      checked,
      openApi().checkResponse(checked, {
        status: reply.status,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: reply.body.toString(),
      }),
    );
    this.answer(res, reply, requestId);
  }

  private started(route: string): void {
    const now = (this.inFlight.get(route) ?? 0) + 1;
    this.inFlight.set(route, now);
    this.peakInFlight.set(route, Math.max(now, this.peakInFlight.get(route) ?? 0));
  }

  /**
   * A bug in this test server (or in its OpenAPI check) answers a 500 that no client retries
   * into a pass, and is recorded so the test fails naming it; a dropped socket would read as a
   * network fault and be retried.
   */
  private failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const problem = `the test server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    violations.push({
      server: this.url,
      kind: 'server',
      request: `${req.method ?? 'GET'} ${req.url ?? '/'}`,
      problem,
    });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        id: TEST_SERVER_FAILED,
        message: problem,
        detailed_error: '',
        request_id: '',
        status_code: 500,
      }),
    );
  }

  private check(kind: OpenApiViolation['kind'], request: CheckedRequest, problems: string[]): void {
    for (const problem of problems) {
      violations.push({
        server: this.url,
        kind,
        request: `${request.method} ${request.path}`,
        problem,
      });
    }
  }

  private answerFault(
    req: IncomingMessage,
    res: ServerResponse,
    fault: Fault,
    requestId: string,
    config: ServerConfig,
  ): void {
    if (fault.drop) req.socket.destroy();
    else this.answer(res, faultReply(fault, requestId, config), requestId);
  }

  private answer(res: ServerResponse, reply: Reply, requestId: string): void {
    if (res.destroyed || res.headersSent) return;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Content-Length', String(Buffer.byteLength(reply.body)));
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
    res.writeHead(reply.status);
    res.end(reply.body);
  }

  // `RateLimitHandler` wraps the whole router, keyed by the client IP; with VaryByUser,
  // `UserIdRateLimit` (called once the session is known, `server/channels/web/handlers.go`) runs a
  // second limiter keyed by the user, whose headers are added beside the first ones.
  private async serve(call: Call, requestId: string, remoteAddress: string): Promise<Reply> {
    const limited = call.path.startsWith('/api/v4/') || call.path.startsWith('/hooks/');
    const rates: RateDecision[] = [];
    const ipRate = limited ? this.rateLimit(`ip:${remoteAddress}`) : undefined;
    if (ipRate) rates.push(ipRate);
    const user = this.authenticate(call.headers);
    if (ipRate?.allowed && user && call.config.rateLimit?.varyByUser) {
      const userRate = this.rateLimit(`user:${user.id}`);
      if (userRate) rates.push(userRate);
    }
    const rateHeaders = mergeRateHeaders(rates);
    if (rates.some((rate) => !rate.allowed)) {
      return {
        status: 429,
        headers: {
          ...rateHeaders,
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Content-Type-Options': 'nosniff',
        },
        body: 'limit exceeded\n', // Go's http.Error adds the newline
      };
    }
    let reply: Reply;
    try {
      // Go's json.Decoder fails on a value of the wrong type before createPost and the other
      // handlers look at it (`c.SetInvalidParamWithErr("post", err)` in
      // `server/channels/api4/post.go`), so such a body is refused, not stored.
      if (call.path.startsWith('/api/v4/') && user) {
        const [wrongType] = openApi().bodyTypeErrors({
          method: call.method,
          path: call.path,
          query: call.query,
          contentType: call.headers['content-type'],
          body: call.body,
        });
        if (wrongType !== undefined) throw fail('invalidBody', wrongType);
      }
      reply = await this.route(call);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : fail('internal', String(error));
      reply = errorReply(apiError, requestId, call.config);
    }
    return rates.length > 0 ? { ...reply, headers: { ...rateHeaders, ...reply.headers } } : reply;
  }

  private async route(call: Call): Promise<Reply> {
    const hookId = /^\/hooks\/([^/]+)$/.exec(call.path)?.[1];
    if (hookId !== undefined && call.method === 'POST') {
      if (call.body.length > MAX_PAYLOAD_BYTES) throw fail('bodyTooLarge');
      await call.hold();
      try {
        return handleIncomingWebhook(this.s, call, hookId);
      } catch (error) {
        throw call.config.webhookErrors === 'wrapped' ? wrapWebhookError(error, hookId) : error;
      }
    }
    const apiPath = call.path.startsWith('/api/v4/') ? call.path.slice('/api/v4'.length) : '';
    const user = this.authenticate(call.headers);
    if (call.method === 'GET' && apiPath === '/config/client') {
      await call.hold();
      return getClientConfig(call, user);
    }
    for (const route of ROUTES) {
      const match = route.method === call.method ? route.pattern.exec(apiPath) : null;
      if (!match) continue;
      if (!user) throw fail('sessionExpired');
      if (call.body.length > MAX_PAYLOAD_BYTES && route.handle !== uploadFiles)
        throw fail('bodyTooLarge');
      if (!route.holdsItself) await call.hold();
      const params = match.slice(1).map((p) => decodeURIComponent(p));
      return route.handle(this.s, { ...call, user, params });
    }
    throw fail('pageNotFound');
  }

  private authenticate(headers: IncomingHttpHeaders): User | undefined {
    const token = bearerToken(headers);
    const userId = token === undefined ? undefined : this.s.tokens.get(token);
    return userId === undefined ? undefined : this.s.users.get(userId);
  }

  // GCRA as in `throttled` (`rate.go`, GCRARateLimiter.RateLimit): emission interval T = 1/perSec,
  // tolerance T × (maxBurst + 1), Limit = maxBurst + 1. A request is refused when its theoretical
  // arrival time less the tolerance is still in the future. Reset is the time until the bucket is
  // full again (ResetAfter), Retry-After the time until this request would pass; both whole
  // seconds rounded up (`setRateLimitHeaders` in `http.go`).
  private rateLimit(key: string): RateDecision | undefined {
    const limit = this.config.rateLimit;
    if (!limit) return undefined;
    const now = Date.now();
    const interval = 1000 / limit.perSec;
    const tolerance = interval * (limit.maxBurst + 1);
    const tat = Math.max(this.buckets.get(key) ?? now, now);
    const newTat = tat + interval;
    const allowAt = newTat - tolerance;
    const allowed = now >= allowAt;
    if (allowed) this.buckets.set(key, newTat);
    const ttl = (allowed ? newTat : tat) - now;
    const next = tolerance - ttl;
    const remaining = next > -interval ? Math.max(0, Math.floor(next / interval)) : 0;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(limit.maxBurst + 1),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': String(Math.ceil(ttl / 1000)),
    };
    if (!allowed) headers['Retry-After'] = String(Math.ceil((allowAt - now) / 1000));
    return { allowed, headers };
  }
}

interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Each limiter's headers, as `Header().Add` leaves them: one line per limiter. */
function mergeRateHeaders(rates: RateDecision[]): Record<string, string | string[]> {
  const merged: Record<string, string[]> = {};
  for (const rate of rates) {
    for (const [name, value] of Object.entries(rate.headers)) {
      merged[name] = [...(merged[name] ?? []), value];
    }
  }
  return Object.fromEntries(
    Object.entries(merged).map(([name, values]) => [
      name,
      values.length === 1 ? (values[0] ?? '') : values,
    ]),
  );
}

export const startMattermostTestServer = MattermostTestServer.start;

/** A request the real API would refuse, or an answer the real server would not give. */
export interface OpenApiViolation {
  server: string;
  kind: 'request' | 'response' | 'server';
  request: string;
  problem: string;
}

/** The id of the 500 this test server answers when it fails itself (see `failed`). */
export const TEST_SERVER_FAILED = 'test_server.internal_failure';

// Module-wide, so a check after each test sees the violations of servers already stopped.
const violations: OpenApiViolation[] = [];
let checkedRequests = 0;

/** Takes (and forgets) every violation recorded so far; see test/support/openapi-setup.ts. */
export function takeOpenApiViolations(): OpenApiViolation[] {
  return violations.splice(0, violations.length);
}

/** How many requests the OpenAPI check has seen in this process. */
export function openApiCheckedRequests(): number {
  return checkedRequests;
}

function matchesPath(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

function faultReply(fault: Fault, requestId: string, config: ServerConfig): Reply {
  const status = fault.status ?? 500;
  let reply: Reply;
  if (typeof fault.body === 'string') {
    reply = { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: fault.body };
  } else if (fault.body !== undefined) {
    reply = jsonReply(status, fault.body);
  } else if (status >= 500 && config.hardened) {
    reply = hardenedReply(status, requestId);
  } else if (status >= 400) {
    reply = jsonReply(status, {
      id: 'test_server.injected_fault.app_error',
      message: `Injected fault: ${status}`,
      detailed_error: '',
      request_id: requestId,
      status_code: status,
    });
  } else {
    reply = { status, headers: {}, body: '' };
  }
  return { ...reply, headers: { ...reply.headers, ...fault.headers } };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
