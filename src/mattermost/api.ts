import { randomUUID } from 'node:crypto';
import type { ActionError } from '../errors.js';
import {
  type DescribedAnswer,
  describeAnswer,
  parseJsonBody,
  serverError,
  unexpectedAnswerError,
} from './answer.js';
import type { Http, HttpRequest, HttpResponse, RetryPolicy } from './http.js';
import { DEFAULT_MAX_POST_SIZE } from './post-size.js';

export interface MattermostUser {
  id: string;
  username: string;
  email?: string;
  is_bot?: boolean;
}

export interface MattermostChannel {
  id: string;
  name: string;
  team_id: string;
  type: string;
  display_name?: string;
}

export interface MattermostPost {
  id: string;
  channel_id: string;
  root_id: string;
  message: string;
  props?: Record<string, unknown>;
  file_ids?: string[];
  user_id?: string;
  /** Milliseconds since the epoch. */
  create_at?: number;
  delete_at?: number;
}

export interface RootPostsPage {
  posts: MattermostPost[];
  /**
   * `prev_post_id`: the next older root post after this page, `''` when there is none
   * (app/post.go AddCursorIdsForPostList); undefined when the server does not say.
   */
  prevPostId: string | undefined;
}

export interface NewPost {
  channel_id: string;
  message: string;
  /** Made once per logical post and reused on every retry, so a retry never posts twice. */
  pending_post_id: string;
  root_id?: string;
  props?: Record<string, unknown>;
  file_ids?: string[];
  metadata?: Record<string, unknown>;
  type?: string;
}

export interface PostPatch {
  message?: string;
  props?: Record<string, unknown>;
  file_ids?: string[];
}

export interface UploadFile {
  name: string;
  content: Buffer;
}

export interface MattermostApi {
  getMe(): Promise<MattermostUser>;
  /** One request for many users; names with no user are simply absent from the result. */
  getUsersByUsernames(usernames: string[]): Promise<MattermostUser[]>;
  getUserByEmail(email: string): Promise<MattermostUser>;
  getChannel(channelId: string): Promise<MattermostChannel>;
  getChannelByName(team: string, name: string): Promise<MattermostChannel>;
  /** `label` names the recipient in errors, e.g. `@jo` or `jo@example.com`. */
  createDirectChannel(userIdA: string, userIdB: string, label: string): Promise<MattermostChannel>;
  getPost(postId: string): Promise<MattermostPost>;
  createPost(post: NewPost): Promise<MattermostPost>;
  patchPost(postId: string, patch: PostPatch): Promise<MattermostPost>;
  /**
   * Uploads one file to the channel and returns its id. One file per request, as the web app
   * does: the server's size limit (MaxFileSize) is for the whole request, not for each file.
   */
  uploadFile(channelId: string, file: UploadFile): Promise<string>;
  /** The server's `MaxPostSize` in runes; 16383 (the stock value) when it does not say. */
  getMaxPostSize(): Promise<number>;
  /** One page of a channel's root posts (replies left out), newest first. */
  getChannelRootPosts(channelId: string, page: number, perPage: number): Promise<RootPostsPage>;
  /** Adds the user's reaction; one that is already there is kept (the server saves it again). */
  addReaction(userId: string, postId: string, emoji: string): Promise<void>;
  /** Removes the user's reaction; one that is not there is no error (the server deletes nothing). */
  removeReaction(userId: string, postId: string, emoji: string): Promise<void>;
}

export { DEFAULT_MAX_POST_SIZE };

/** Returns the message for an error answer the caller can explain, else `undefined`. */
type Explain = (answer: DescribedAnswer) => string | undefined;

interface Call {
  method: HttpRequest['method'];
  path: string;
  /** `post` for POST /posts, whose retries lean on `pending_post_id`; `api` otherwise. */
  policy?: RetryPolicy;
  /** Names the attempt in the fallback error, e.g. `Looking up channel dev/town-square`. */
  what: string;
  json?: unknown;
  multipart?: { body: Buffer; contentType: string };
  explain?: Explain;
}

/** `serverUrl` is normalised: no trailing `/` or `/api/v4`. */
export function createApiClient(http: Http, serverUrl: string, token: string): MattermostApi {
  const base = `${serverUrl}/api/v4`;

  async function call(spec: Call): Promise<{ json: unknown; response: HttpResponse }> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'User-Agent': 'mattermost-notify',
    };
    let body: string | Buffer | undefined;
    if (spec.multipart) {
      headers['Content-Type'] = spec.multipart.contentType;
      body = spec.multipart.body;
    } else if (spec.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const response = await http.send({
      method: spec.method,
      url: `${base}${spec.path}`,
      headers,
      ...(body === undefined ? {} : { body }),
      policy: spec.policy ?? 'api',
    });
    if (response.status < 200 || response.status >= 300) throw apiError(response, spec);
    const json = parseJsonBody(response);
    if (json === undefined) {
      throw serverError(
        response,
        `${spec.what} failed: the answer (${response.status}) is not JSON, so this is not the Mattermost API: check server-url.`,
      );
    }
    return { json, response };
  }

  async function getObject<T>(spec: Call, isT: (value: unknown) => value is T): Promise<T> {
    const { json, response } = await call(spec);
    if (!isT(json)) throw unexpectedShape(spec, response);
    return json;
  }

  return {
    getMe() {
      return getObject(
        { method: 'GET', path: '/users/me', what: "Reading the bot's own user" },
        isUser,
      );
    },

    async getUsersByUsernames(usernames) {
      if (usernames.length === 0) return [];
      const { json } = await call({
        method: 'POST',
        path: '/users/usernames',
        json: usernames,
        what: `Looking up ${usernames.map((name) => `@${name}`).join(', ')}`,
      });
      return Array.isArray(json) ? json.filter(isUser) : [];
    },

    getUserByEmail(email) {
      return getObject(
        {
          method: 'GET',
          path: `/users/email/${segment(email)}`,
          what: `Looking up the user with email ${email}`,
          explain: ({ status, id, suffix }) => {
            if (status === 403 && id === 'api.user.get_user_by_email.permissions.app_error') {
              return `Mattermost hides email addresses from this bot ${suffix}: turn on Show Email Address, make the bot a system admin, or use user: instead.`;
            }
            if (status === 404) return `No Mattermost user with email ${email} ${suffix}.`;
            if (status === 400)
              return `"${email}" is not an email address Mattermost accepts ${suffix}: check user-email.`;
            return undefined;
          },
        },
        isUser,
      );
    },

    getChannel(channelId) {
      return getObject(
        {
          method: 'GET',
          path: `/channels/${segment(channelId)}`,
          what: `Reading channel ${channelId}`,
          explain: ({ status, suffix }) => {
            if (status === 404)
              return `No channel with id ${channelId} ${suffix}: check the channel id.`;
            if (status === 403) {
              return `The bot cannot read channel ${channelId} ${suffix}: add the bot to the channel (and its team), or check the channel id.`;
            }
            return undefined;
          },
        },
        isChannel,
      );
    },

    getChannelByName(team, name) {
      return getObject(
        {
          method: 'GET',
          path: `/teams/name/${segment(team)}/channels/name/${segment(name)}`,
          what: `Looking up channel ${team}/${name}`,
          explain: ({ status, id, suffix }) => {
            if (status === 404 && id?.includes('.team.')) {
              return `There is no team "${team}" ${suffix}: set team (or write team/channel) using the team's name from its URL.`;
            }
            if (status === 404) {
              return `Channel ${team}/${name} was not found, or it is private and the bot is not in it ${suffix}: check the name (the one in the channel's URL) or add the bot to the channel.`;
            }
            if (status === 403)
              return `The bot is not a member of team "${team}" ${suffix}: add the bot to the team.`;
            if (status === 400 && id === 'api.context.invalid_url_param.app_error') {
              return `"${team}/${name}" is not a team and channel name Mattermost accepts ${suffix}: use the names from the channel's URL (lowercase letters, digits, - and _).`;
            }
            return undefined;
          },
        },
        isChannel,
      );
    },

    createDirectChannel(userIdA, userIdB, label) {
      return getObject(
        {
          method: 'POST',
          path: '/channels/direct',
          json: [userIdA, userIdB],
          what: `Opening a direct message with ${label}`,
          explain: ({ status, id, suffix }) => {
            if (
              status === 400 &&
              id === 'api.channel.create_direct_channel.invalid_user.app_error'
            ) {
              return `Mattermost has no user for ${label} ${suffix}: check the name.`;
            }
            if (
              status === 403 &&
              id === 'api.channel.create_channel.direct_channel.team_restricted_error'
            ) {
              return `Direct messages on this server are limited to users who share a team, and the bot shares none with ${label} ${suffix}: add the bot to one of their teams.`;
            }
            if (status === 403) {
              return `The bot may not open a direct message with ${label} ${suffix}: give it the permission to create direct channels.`;
            }
            return undefined;
          },
        },
        isChannel,
      );
    },

    getPost(postId) {
      return getObject(
        {
          method: 'GET',
          path: `/posts/${segment(postId)}`,
          what: `Reading post ${postId}`,
          explain: ({ status, suffix }) => {
            if (status === 404) {
              return `There is no post ${postId} ${suffix}: check root-id or update-post-id (the post may have been deleted).`;
            }
            if (status === 403)
              return `The bot cannot read post ${postId} ${suffix}: add the bot to the post's channel.`;
            return undefined;
          },
        },
        isPost,
      );
    },

    createPost(post) {
      const channel = post.channel_id;
      return getObject(
        {
          method: 'POST',
          path: '/posts',
          policy: 'post',
          json: post,
          what: `Posting to channel ${channel}`,
          explain: ({ status, id, suffix }) => {
            if (status === 400 && id === 'api.post.create_post.root_id.app_error') {
              return `root-id ${post.root_id ?? ''} is not the root of a thread in channel ${channel} ${suffix}: give the id of the thread's first post, in the same channel.`;
            }
            if (status === 400 && id === 'api.post.create_post.channel_root_id.app_error') {
              return `root-id ${post.root_id ?? ''} is a post in another channel than ${channel} ${suffix}: reply in the root post's channel.`;
            }
            if (status === 400 && id === 'model.post.is_valid.message_length.app_error') {
              return tooLongMessage(suffix);
            }
            if (status === 400 && id === 'model.post.is_valid.props.app_error') {
              return `The post's props are larger than the server accepts ${suffix}: shorten payload (props and attachments).`;
            }
            if (status === 403 && id?.includes('priority_post_not_allowed_for_user')) {
              return `Post priority is turned off on this Mattermost server ${suffix}: drop priority from payload, or a system admin can turn on Message Priority (System Console → Site Configuration → Posts).`;
            }
            if (status === 400 && id?.includes('priority_post_only_allowed_for_root_post')) {
              return `Mattermost accepts a priority only on a thread's first post ${suffix}: drop priority from payload for replies.`;
            }
            // The permission check comes before the channel is loaded: an unknown id is a 403 too.
            if (status === 403)
              return `Channel ${channel} does not exist or the bot is not in it ${suffix}: check the channel id, or add the bot to the channel.`;
            if (status === 404)
              return `There is no channel ${channel} ${suffix}: check the channel.`;
            return undefined;
          },
        },
        isPost,
      );
    },

    patchPost(postId, patch) {
      return getObject(
        {
          method: 'PUT',
          path: `/posts/${segment(postId)}/patch`,
          json: patch,
          what: `Editing post ${postId}`,
          explain: ({ status, id, suffix }) => {
            if (status === 404) {
              return `There is no post ${postId} to edit ${suffix}: check update-post-id (the post may have been deleted).`;
            }
            // The edit permission is checked before the post is loaded: an unknown id is a 403 too.
            if (status === 403) {
              return `Post ${postId} does not exist or the bot cannot edit it ${suffix}: check update-post-id; a bot edits only its own posts unless it may edit others' posts.`;
            }
            if (status === 400 && id === 'model.post.is_valid.message_length.app_error') {
              return tooLongMessage(suffix);
            }
            return undefined;
          },
        },
        isPost,
      );
    },

    async uploadFile(channelId, file) {
      const spec: Call = {
        method: 'POST',
        path: '/files',
        multipart: multipartBody(channelId, file),
        what: `Uploading ${file.name} to channel ${channelId}`,
        explain: ({ status, id, suffix }) => {
          if (status === 403 && id === 'api.file.attachments.disabled.app_error') {
            return `File attachments are disabled on this Mattermost server ${suffix}: a system admin can enable them (System Console → Site Configuration → File Sharing and Downloads), or drop files.`;
          }
          // As for posts, an unknown channel id fails the permission check: a 403 too.
          if (status === 403)
            return `Channel ${channelId} does not exist or the bot cannot upload files to it ${suffix}: check the channel id, or add the bot to the channel.`;
          if (status === 413)
            return `${file.name} is larger than the server accepts ${suffix}: attach a smaller file or raise Maximum File Size (System Console → File Sharing and Downloads).`;
          return undefined;
        },
      };
      const { json, response } = await call(spec);
      const [id, ...more] = fileIds(json) ?? [];
      if (id === undefined || more.length > 0) throw unexpectedShape(spec, response);
      return id;
    },

    async getMaxPostSize() {
      const { json } = await call({
        method: 'GET',
        path: '/config/client?format=old',
        what: "Reading the server's message size limit",
      });
      const raw = isRecord(json) ? json.MaxPostSize : undefined;
      const size = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN;
      return Number.isInteger(size) && size > 0 ? size : DEFAULT_MAX_POST_SIZE;
    },

    async getChannelRootPosts(channelId, page, perPage) {
      // collapsedThreads=true: root posts only, newest first (api4/post.go getPostsForChannel →
      // SqlPostStore.getPostsCollapsedThreads), so replies in busy threads cost no pages.
      const spec: Call = {
        method: 'GET',
        path: `/channels/${segment(channelId)}/posts?page=${page}&per_page=${perPage}&collapsedThreads=true&skipFetchThreads=true`,
        what: `Reading the recent posts of channel ${channelId}`,
        explain: ({ status, suffix }) => {
          // api4/post.go getPostsForChannel: GetChannel answers 404 for an unknown id, the
          // permission check 403 for a channel the bot is not in.
          if (status === 404) {
            return `There is no channel ${channelId} ${suffix}: check the channel id.`;
          }
          if (status === 403) {
            return `The bot cannot read channel ${channelId} ${suffix}: thread-key finds the thread among the channel's posts, so add the bot to the channel.`;
          }
          return undefined;
        },
      };
      const { json, response } = await call(spec);
      const posts = postList(json);
      if (!posts) throw unexpectedShape(spec, response);
      const prev = isRecord(json) ? json.prev_post_id : undefined;
      return { posts, prevPostId: typeof prev === 'string' ? prev : undefined };
    },

    async addReaction(userId, postId, emoji) {
      await call({
        method: 'POST',
        path: '/reactions',
        json: { user_id: userId, post_id: postId, emoji_name: emoji },
        what: `Adding reaction :${emoji}: to post ${postId}`,
        explain: (answer) => reactionError(answer, emoji, postId),
      });
    },

    async removeReaction(userId, postId, emoji) {
      await call({
        method: 'DELETE',
        path: `/users/${segment(userId)}/posts/${segment(postId)}/reactions/${segment(emoji)}`,
        what: `Removing reaction :${emoji}: from post ${postId}`,
        explain: (answer) => reactionError(answer, emoji, postId),
      });
    },
  };

  function apiError(response: HttpResponse, spec: Call): ActionError {
    const answer = describeAnswer(response);
    if (answer.status === 401) {
      return serverError(
        response,
        `Mattermost rejected the token ${answer.suffix}: check token (a bot token from System Console → Integrations → Bot Accounts, or a personal access token) and server-url.`,
      );
    }
    const message = spec.explain?.(answer);
    return message === undefined
      ? unexpectedAnswerError(response, spec.what)
      : serverError(response, message);
  }
}

function unexpectedShape(spec: Call, response: HttpResponse): ActionError {
  return serverError(
    response,
    `${spec.what} failed: Mattermost's answer (${response.status}) lacks the expected fields; check that server-url points at Mattermost.`,
  );
}

/** The answers of `api4/reaction.go` and `app/reaction.go` a workflow author can act on. */
function reactionError(
  { status, id, suffix }: DescribedAnswer,
  emoji: string,
  postId: string,
): string | undefined {
  if (status === 404 && id?.startsWith('app.emoji.')) {
    return `There is no emoji :${emoji}: on this Mattermost server ${suffix}: check reactions (the names are those of the emoji picker, e.g. white_check_mark).`;
  }
  if (status === 501) {
    return `:${emoji}: is not a standard emoji and custom emoji are disabled on this server ${suffix}: check reactions.`;
  }
  if (status === 400 && id === 'app.reaction.save.save.too_many_reactions') {
    return `Post ${postId} has as many different reactions as the server allows ${suffix}: remove some with -name in reactions.`;
  }
  if (status === 404) return `There is no post ${postId} to react to ${suffix}.`;
  if (status === 403) {
    return `The bot may not react in the channel of post ${postId} ${suffix}: add the bot to the channel (an archived channel takes no reactions).`;
  }
  return undefined;
}

function tooLongMessage(suffix: string): string {
  return `The message is longer than the server's limit (MaxPostSize) ${suffix}: shorten the message.`;
}

/** A path segment: encoded, but `@` and `+` kept as Mattermost's own clients send them. */
function segment(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@').replace(/%2B/g, '+');
}

/** `channel_id` first, then the `files` part, as the web app sends them. */
function multipartBody(channelId: string, file: UploadFile): { body: Buffer; contentType: string } {
  const boundary = `mattermost-notify-${randomUUID()}`;
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="channel_id"\r\n\r\n${channelId}\r\n`,
    ),
  ];
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${escapeFilename(file.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    file.content,
    Buffer.from('\r\n'),
  );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** As browsers do (WHATWG form encoding): quote and line breaks percent-encoded. */
function escapeFilename(name: string): string {
  return name.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

function fileIds(json: unknown): string[] | undefined {
  if (!isRecord(json) || !Array.isArray(json.file_infos)) return undefined;
  const ids = json.file_infos.map((info: unknown) =>
    isRecord(info) && typeof info.id === 'string' ? info.id : undefined,
  );
  return ids.every((id): id is string => id !== undefined) ? ids : undefined;
}

/** A PostList (`{order, posts}`) as posts in its order. */
function postList(json: unknown): MattermostPost[] | undefined {
  if (!isRecord(json) || !Array.isArray(json.order) || !isRecord(json.posts)) return undefined;
  const posts = json.posts;
  return json.order
    .map((id: unknown) => (typeof id === 'string' ? posts[id] : undefined))
    .filter(isPost);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUser(value: unknown): value is MattermostUser {
  return isRecord(value) && typeof value.id === 'string' && typeof value.username === 'string';
}

function isChannel(value: unknown): value is MattermostChannel {
  return isRecord(value) && typeof value.id === 'string' && typeof value.name === 'string';
}

function isPost(value: unknown): value is MattermostPost {
  return isRecord(value) && typeof value.id === 'string' && typeof value.channel_id === 'string';
}
