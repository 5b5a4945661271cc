/**
 * Every input is read, checked and masked here, once, into a typed `Config`. Nothing else in the
 * action reads inputs or the connection environment variables.
 */
import { existsSync, readFileSync } from 'node:fs';
import type {
  Config,
  Connection,
  Destination,
  DisplayOverrides,
  JobStatus,
  NotifyOn,
  Reaction,
  StatusInput,
  ThreadConfig,
} from './config.js';
import { isRecord } from './context.js';
import { ActionError } from './errors.js';
import { parseUserMap } from './user-map.js';
import { assertInsideWorkspace, resolveInWorkspace } from './workspace.js';

/** The part of `@actions/core` that reading inputs needs; tests pass their own. */
export interface InputReader {
  getInput(name: string): string;
  setSecret(secret: string): void;
  warning(message: string): void;
}

type Env = Readonly<Record<string, string | undefined>>;

const CHANNEL_ID = /^[a-z0-9]{26}$/;
const JOB_STATUSES: readonly JobStatus[] = ['success', 'failure', 'cancelled', 'skipped'];
const NOTIFY_ON: readonly NotifyOn[] = ['always', 'failure', 'change'];
const MENTION_ON_FAILURE = ['none', 'author'] as const;

/** The inputs that take one of a few words (any case), for the docs' checks as well. */
export const INPUT_CHOICES: Readonly<Record<string, readonly string[]>> = {
  status: [...JOB_STATUSES, 'workflow'],
  'notify-on': NOTIFY_ON,
  'mention-on-failure': MENTION_ON_FAILURE,
};

/** The whole-number inputs and their ranges, for the docs' checks as well. */
export const INPUT_RANGES = {
  retries: { min: 0, max: 10 },
  timeout: { min: 1, max: 600 },
  'thread-lookback': { min: 1, max: 365 },
} as const;
const PAYLOAD_FIELDS = ['props', 'attachments', 'priority', 'type'] as const;
const WEBHOOK_ONLY_PAYLOAD_FIELDS = ['username', 'icon_url', 'icon_emoji'] as const;

export async function readConfig(reader: InputReader, env: Env): Promise<Config> {
  const input = (name: string) => reader.getInput(name).trim();
  // Secrets are masked before anything else can print them, even when they turn out invalid.
  for (const name of ['webhook-url', 'token', 'github-token']) maskSecret(reader, input(name));
  const dryRun = readBoolean(input('dry-run'), 'dry-run', false);
  const connection = readConnection(input, env, reader, dryRun);
  // Without a connection (a dry run) what either mode accepts is accepted.
  const apiMode = connection.mode !== 'webhook';

  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const team = input('team') || undefined;
  const destinations = readDestinations(input, connection.mode, team);
  const rootId = readPostId(input, 'root-id', apiMode);
  const updatePostId = readPostId(input, 'update-post-id', apiMode);
  if (connection.mode === 'api' && destinations.length === 0 && !rootId && !updatePostId) {
    throw new ActionError(
      'No destination: set channel, user, user-email or github-user (or root-id to reply in a thread).',
      { input: 'channel' },
    );
  }
  if (updatePostId && destinations.length > 0) {
    reader.warning(
      'update-post-id edits an existing post: channel, user, user-email and github-user are not used.',
    );
  }
  const files = splitList(reader.getInput('files'), /\n/);
  if (files.length > 0 && !apiMode) {
    throw new ActionError(
      'files needs API mode: set server-url and token (a webhook cannot attach files).',
      {
        input: 'files',
      },
    );
  }

  return {
    connection,
    destinations: updatePostId ? [] : destinations,
    team,
    template: readTemplate(input, workspace),
    payload: await readPayload(input('payload'), connection.mode),
    status: readStatus(input('status')),
    ...readFailureOptions(input, env),
    display: readDisplay(input),
    rootId,
    updatePostId,
    files,
    userMap: await parseUserMap(reader.getInput('user-map'), workspace),
    githubToken: input('github-token') || undefined,
    dryRun,
    retries: readInteger(input('retries'), 'retries', 3),
    timeoutSeconds: readInteger(input('timeout'), 'timeout', 30),
    workspace,
    ...readThreadInputs(input, connection.mode, { rootId, updatePostId }),
  };
}

/** The value of a JSON text, or `undefined` when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function maskSecret(reader: InputReader, value: string): void {
  if (value) reader.setSecret(value);
}

/**
 * The inputs decide the mode. With no connection input at all, the environment variables stand
 * in for server-url and token; in API mode each of the two also falls back to its own variable.
 * A dry run needs no connection.
 */
function readConnection(
  input: (name: string) => string,
  env: Env,
  reader: InputReader,
  dryRun: boolean,
): Connection {
  const webhookUrl = input('webhook-url');
  const givenServerUrl = input('server-url');
  const givenToken = input('token');
  if (webhookUrl && (givenServerUrl || givenToken)) {
    throw new ActionError(
      'Set either webhook-url (webhook mode) or server-url and token (API mode), not both.',
      { input: 'webhook-url' },
    );
  }
  if (webhookUrl) return readWebhookConnection(webhookUrl, reader);
  const serverUrl = givenServerUrl || env.MATTERMOST_URL?.trim() || '';
  const token = givenToken || env.MATTERMOST_TOKEN?.trim() || '';
  maskSecret(reader, token);
  // A dry run sends nothing, so half a connection (a fork's pull request gets the URL from a
  // variable but no token from secrets) is still enough to say where the message would go.
  if (dryRun && (!serverUrl || !token)) {
    return serverUrl ? apiConnection(serverUrl, token, reader) : { mode: 'none' };
  }
  if (!serverUrl && !token) {
    throw new ActionError(
      'No Mattermost connection: set webhook-url, or server-url and token (or the MATTERMOST_URL and MATTERMOST_TOKEN environment variables).',
      { input: 'webhook-url' },
    );
  }
  if (!token) {
    throw new ActionError(
      'server-url is set but token is empty: set token (or MATTERMOST_TOKEN) to a bot or personal access token.',
      { input: 'token' },
    );
  }
  if (!serverUrl) {
    throw new ActionError(
      'token is set but server-url is empty: set server-url (or MATTERMOST_URL), e.g. https://chat.example.com.',
      { input: 'server-url' },
    );
  }
  return apiConnection(serverUrl, token, reader);
}

function apiConnection(serverUrl: string, token: string, reader: InputReader): Connection {
  const url = parseHttpUrl(serverUrl, 'server-url', 'https://chat.example.com');
  warnIfCleartext(url, 'server-url', reader);
  return { mode: 'api', serverUrl: normaliseServerUrl(url), token };
}

function readWebhookConnection(webhookUrl: string, reader: InputReader): Connection {
  const url = parseHttpUrl(
    webhookUrl,
    'webhook-url',
    'https://chat.example.com/hooks/xxxxxxxxxxxxxxxxxxxxxxxxxx',
  );
  const hookId = url.pathname.match(/\/hooks\/([^/]+)\/?$/)?.[1];
  if (!hookId) {
    throw new ActionError(
      'webhook-url is not an incoming webhook URL: it should end in /hooks/<id> (copy it from Integrations → Incoming Webhooks).',
      { input: 'webhook-url' },
    );
  }
  maskSecret(reader, hookId);
  warnIfCleartext(url, 'webhook-url', reader);
  return { mode: 'webhook', webhookUrl };
}

function parseHttpUrl(text: string, input: string, example: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ActionError(`${input} is not an http(s) URL: set it like ${example}.`, { input });
  }
  return url;
}

function warnIfCleartext(url: URL, input: string, reader: InputReader): void {
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    reader.warning(
      `${input} uses plain http:// to ${url.hostname}: the secret travels unencrypted; use https://.`,
    );
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** `https://chat.example.com/mm/api/v4/` → `https://chat.example.com/mm` */
function normaliseServerUrl(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  return `${url.origin}${path}`;
}

/** Entries separated by commas or newlines (or only newlines), trimmed, blanks and repeats dropped. */
export function splitList(text: string, separator: RegExp = /[\n,]/): string[] {
  const entries = text
    .split(separator)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return [...new Set(entries)];
}

function readDestinations(
  input: (name: string) => string,
  mode: Connection['mode'],
  team: string | undefined,
): Destination[] {
  const destinations: Destination[] = [
    ...splitList(input('channel')).map((entry) => parseChannelEntry(entry, mode, team)),
    ...splitList(input('user')).map((entry) => parseUsername(entry, 'user')),
    ...splitList(input('user-email')).map((entry) => parseEmail(entry, mode)),
    ...splitList(input('github-user')).map(
      (entry): Destination => ({ kind: 'github-user', entry, login: entry.replace(/^@/, '') }),
    ),
  ];
  return uniqueDestinations(destinations);
}

function parseChannelEntry(
  entry: string,
  mode: Connection['mode'],
  team: string | undefined,
): Destination {
  if (entry.startsWith('@')) return parseUsername(entry, 'channel');
  if (CHANNEL_ID.test(entry)) {
    if (mode === 'webhook') {
      throw new ActionError(
        `channel ${entry} looks like a channel id, which needs API mode: set server-url and token, or give the channel's name.`,
        { input: 'channel' },
      );
    }
    return { kind: 'channel-id', entry, channelId: entry };
  }
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const teamName = entry.slice(0, slash).trim();
    const name = stripChannelSigil(entry.slice(slash + 1));
    if (!teamName || !name || name.includes('/')) {
      throw new ActionError(`channel ${entry} is not of the form team/channel-name.`, {
        input: 'channel',
      });
    }
    if (mode === 'webhook') {
      throw new ActionError(
        `channel ${entry} names a team, which needs API mode: set server-url and token, or give only the channel name (a webhook posts in its own team).`,
        { input: 'channel' },
      );
    }
    return { kind: 'channel-name', entry, team: teamName, name };
  }
  const name = stripChannelSigil(entry);
  if (!name) throw new ActionError(`channel ${entry} has no channel name.`, { input: 'channel' });
  if (mode === 'api' && !team) {
    throw new ActionError(
      `channel ${entry} is a bare channel name: set team, or write it as team-name/${name}.`,
      { input: 'team' },
    );
  }
  return { kind: 'channel-name', entry, team, name };
}

function stripChannelSigil(name: string): string {
  return name.trim().replace(/^[~#]/, '');
}

function parseUsername(entry: string, input: string): Destination {
  const username = entry.replace(/^@/, '').trim();
  if (!/^[a-z0-9._-]+$/i.test(username)) {
    throw new ActionError(
      `${input} entry ${entry} is not a Mattermost username (letters, digits, . _ -).`,
      {
        input,
      },
    );
  }
  return { kind: 'username', entry, username: username.toLowerCase() };
}

function parseEmail(entry: string, mode: Connection['mode']): Destination {
  if (mode === 'webhook') {
    throw new ActionError(
      'user-email needs API mode: set server-url and token (a webhook can only DM by @username).',
      { input: 'user-email' },
    );
  }
  if (!/^[^@\s]+@[^@\s]+$/.test(entry)) {
    throw new ActionError(`user-email entry ${entry} is not an email address.`, {
      input: 'user-email',
    });
  }
  return { kind: 'email', entry, email: entry.toLowerCase() };
}

/** Key under which two entries name the same place before any lookup. */
function destinationKey(destination: Destination): string {
  switch (destination.kind) {
    case 'channel-id':
      return `id:${destination.channelId}`;
    case 'channel-name':
      return `name:${destination.team ?? ''}/${destination.name.toLowerCase()}`;
    case 'username':
      return `user:${destination.username}`;
    case 'email':
      return `email:${destination.email}`;
    case 'github-user':
      return `github:${destination.login.toLowerCase()}`;
  }
}

function uniqueDestinations(destinations: Destination[]): Destination[] {
  const seen = new Set<string>();
  return destinations.filter((destination) => {
    const key = destinationKey(destination);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readPostId(
  input: (name: string) => string,
  name: string,
  apiMode: boolean,
): string | undefined {
  const value = input(name);
  if (!value) return undefined;
  if (!apiMode) {
    throw new ActionError(
      `${name} needs API mode: set server-url and token (a webhook cannot reply or edit).`,
      {
        input: name,
      },
    );
  }
  if (!CHANNEL_ID.test(value)) {
    throw new ActionError(
      `${name} ${value} is not a Mattermost post id (26 lowercase letters and digits).`,
      {
        input: name,
      },
    );
  }
  return value;
}

function readTemplate(input: (name: string) => string, workspace: string): string | undefined {
  const message = input('message');
  const messageFile = input('message-file');
  if (message && messageFile) {
    throw new ActionError('Set message or message-file, not both.', { input: 'message-file' });
  }
  if (!messageFile) return message || undefined;
  const path = resolveInWorkspace(messageFile, workspace, 'message-file');
  if (!existsSync(path)) {
    throw new ActionError(
      `message-file ${messageFile} was not found in the workspace (did you check out the repository?).`,
      {
        input: 'message-file',
      },
    );
  }
  assertInsideWorkspace(path, workspace, 'message-file');
  return readFileSync(path, 'utf8');
}

async function readPayload(
  text: string,
  mode: Connection['mode'],
): Promise<Record<string, unknown> | undefined> {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    // JSON is YAML too, but the YAML parser is a chunk of its own, loaded only for YAML.
    parsed = parseJson(text) ?? (await import('yaml')).parse(text);
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ActionError(`payload is not valid JSON or YAML${line ? ` at line ${line}` : ''}.`, {
      input: 'payload',
      cause: error,
    });
  }
  if (!isRecord(parsed)) {
    throw new ActionError(
      'payload must be an object of post fields, e.g. {"props": {...}, "attachments": [...]}.',
      {
        input: 'payload',
      },
    );
  }
  const allowed: readonly string[] =
    mode === 'api' ? PAYLOAD_FIELDS : [...PAYLOAD_FIELDS, ...WEBHOOK_ONLY_PAYLOAD_FIELDS];
  for (const field of Object.keys(parsed)) {
    if (!allowed.includes(field)) {
      const hint =
        field === 'text' || field === 'message' ? ' (the text goes in the message input)' : '';
      throw new ActionError(
        `payload field ${field} is not supported${hint}; use ${allowed.join(', ')}.`,
        {
          input: 'payload',
        },
      );
    }
  }
  if (parsed.attachments !== undefined && !Array.isArray(parsed.attachments)) {
    throw new ActionError('payload attachments must be a list.', { input: 'payload' });
  }
  if (parsed.props !== undefined && !isRecord(parsed.props)) {
    throw new ActionError('payload props must be an object.', { input: 'payload' });
  }
  if (
    parsed.priority !== undefined &&
    !(isRecord(parsed.priority) && typeof parsed.priority.priority === 'string')
  ) {
    throw new ActionError(
      'payload priority must be an object with priority: important or urgent.',
      {
        input: 'payload',
      },
    );
  }
  return parsed;
}

function readStatus(text: string): StatusInput | undefined {
  if (!text) return undefined;
  if (text.toLowerCase() === 'workflow') return 'workflow';
  const status = text.toLowerCase() as JobStatus;
  if (!JOB_STATUSES.includes(status)) {
    throw new ActionError(
      `status ${text} is not a job status: use success, failure, cancelled or skipped (\${{ job.status }}), or workflow for the whole run's.`,
      {
        input: 'status',
      },
    );
  }
  return status;
}

/** `notify-on` and `mention-on-failure`: when to post, and whom a failure mentions. */
function readFailureOptions(
  input: (name: string) => string,
  env: Env,
): Pick<Config, 'notifyOn' | 'mentionOnFailure'> {
  const notifyOn = (input('notify-on').toLowerCase() || 'always') as NotifyOn;
  if (!NOTIFY_ON.includes(notifyOn)) {
    throw new ActionError(
      `notify-on ${input('notify-on')} is not a choice: use always, failure or change.`,
      { input: 'notify-on' },
    );
  }
  // A workflow_run event brings the outcome of the run it reports; any other needs status.
  if (notifyOn !== 'always' && !input('status') && env.GITHUB_EVENT_NAME !== 'workflow_run') {
    throw new ActionError(
      `notify-on: ${notifyOn} needs to know how the run went: set status to \${{ job.status }}, or to workflow for the whole run.`,
      { input: 'notify-on' },
    );
  }
  const given = input('mention-on-failure').toLowerCase() || 'none';
  const mention = MENTION_ON_FAILURE.find((choice) => choice === given);
  if (!mention) {
    throw new ActionError(
      `mention-on-failure ${input('mention-on-failure')} is not a choice: use none or author.`,
      { input: 'mention-on-failure' },
    );
  }
  // Without a status there is no failure to mention anyone for: say so rather than never mention.
  if (mention === 'author' && !input('status') && env.GITHUB_EVENT_NAME !== 'workflow_run') {
    throw new ActionError(
      `mention-on-failure: author needs to know whether the run failed: set status to \${{ job.status }}, or to workflow for the whole run.`,
      { input: 'mention-on-failure' },
    );
  }
  return { notifyOn, mentionOnFailure: mention };
}

function readDisplay(input: (name: string) => string): DisplayOverrides {
  const display: DisplayOverrides = {};
  const username = input('username');
  const iconUrl = input('icon-url');
  const iconEmoji = input('icon-emoji');
  if (username) display.username = username;
  if (iconUrl) {
    parseHttpUrl(iconUrl, 'icon-url', 'https://example.com/icon.png');
    display.iconUrl = iconUrl;
  }
  if (iconEmoji) display.iconEmoji = iconEmoji.replace(/^:|:$/g, '');
  return display;
}

function readBoolean(text: string, input: string, fallback: boolean): boolean {
  if (!text) return fallback;
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw new ActionError(`${input} must be true or false, not ${text}.`, { input });
}

function readInteger(text: string, input: keyof typeof INPUT_RANGES, fallback: number): number {
  const { min, max } = INPUT_RANGES[input];
  if (!text) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ActionError(`${input} must be a whole number from ${min} to ${max}, not ${text}.`, {
      input,
    });
  }
  return value;
}

/** `thread-key`, `thread-root`, `thread-lookback` and `reactions`: API mode only. */
function readThreadInputs(
  input: (name: string) => string,
  mode: Connection['mode'],
  posts: { rootId: string | undefined; updatePostId: string | undefined },
): Pick<Config, 'thread' | 'reactions'> {
  const keyTemplate = input('thread-key');
  const rootTemplate = input('thread-root');
  const reactions = readReactions(input('reactions'));
  for (const [name, given] of [
    ['thread-key', keyTemplate !== ''],
    ['thread-root', rootTemplate !== ''],
    ['reactions', reactions.length > 0],
  ] as const) {
    if (given && mode === 'webhook') {
      throw new ActionError(
        `${name} needs API mode: set server-url and token (a webhook post has no id to find, edit or react to).`,
        { input: name },
      );
    }
  }
  if (rootTemplate && !keyTemplate) {
    throw new ActionError('thread-root needs thread-key: set thread-key to name the thread.', {
      input: 'thread-root',
    });
  }
  if (!keyTemplate) return { thread: undefined, reactions };
  for (const [name, id] of [
    ['root-id', posts.rootId],
    ['update-post-id', posts.updatePostId],
  ] as const) {
    if (id) {
      throw new ActionError(
        `thread-key and ${name} cannot be used together (API mode): thread-key finds the thread itself; drop one of them.`,
        { input: 'thread-key' },
      );
    }
  }
  const thread: ThreadConfig = {
    keyTemplate,
    rootTemplate:
      rootTemplate === '' ? undefined : rootTemplate === 'built-in' ? 'built-in' : rootTemplate,
    lookbackDays: readInteger(input('thread-lookback'), 'thread-lookback', 30),
  };
  return { thread, reactions };
}

/** Mattermost emoji names (`model.IsValidEmojiName`): letters, digits, `_`, `-`, `+`, at most 64. */
const EMOJI_NAME = /^[a-zA-Z0-9_+-]{1,64}$/;

function readReactions(text: string): Reaction[] {
  return splitList(text).map((entry) => {
    const remove = entry.startsWith('-');
    const emoji = (remove ? entry.slice(1) : entry).trim().replace(/^:|:$/g, '');
    if (!EMOJI_NAME.test(emoji)) {
      throw new ActionError(
        `reactions entry ${entry} is not an emoji name: write e.g. white_check_mark to add, -hourglass_flowing_sand to remove.`,
        { input: 'reactions' },
      );
    }
    return { emoji, remove };
  });
}
