/** The typed settings the action runs with: built and validated once in `inputs.ts`. */

export type JobStatus = 'success' | 'failure' | 'cancelled' | 'skipped';

/** The `status` input: a job status, or `workflow` (the whole run's, looked up). */
export type StatusInput = JobStatus | 'workflow';

/** When a step posts: every time, on failure, or when the outcome changes (`notify-on`). */
export type NotifyOn = 'always' | 'failure' | 'change';

export type Connection =
  | { mode: 'webhook'; webhookUrl: string }
  | {
      mode: 'api';
      /** Base URL without trailing `/` or `/api/v4`, e.g. `https://chat.example.com`. */
      serverUrl: string;
      token: string;
    }
  /** A dry run given no connection input: it renders and reports, and could not send. */
  | { mode: 'none' };

/**
 * One place to deliver to, as the user wrote it. `entry` is the input text that named it
 * (e.g. `@jo`, `dev/town-square`), used in outputs and error lines.
 */
export type Destination =
  | { kind: 'channel-id'; entry: string; channelId: string }
  | { kind: 'channel-name'; entry: string; team: string | undefined; name: string }
  | { kind: 'username'; entry: string; username: string }
  | { kind: 'email'; entry: string; email: string }
  | { kind: 'github-user'; entry: string; login: string };

/** GitHub login (lower-cased) → Mattermost user, from the `user-map` input. */
export type UserMap = ReadonlyMap<string, MattermostUserRef>;

export type MattermostUserRef =
  | { kind: 'username'; username: string }
  | { kind: 'email'; email: string };

export interface DisplayOverrides {
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
}

export interface Config {
  connection: Connection;
  /** In input order, duplicates removed. Empty: the webhook's own channel (webhook mode only). */
  destinations: Destination[];
  team: string | undefined;
  /** The Liquid template; `undefined` means the built-in message for the event. */
  template: string | undefined;
  /** Extra post fields from the `payload` input, parsed but not yet rendered. */
  payload: Record<string, unknown> | undefined;
  status: StatusInput | undefined;
  notifyOn: NotifyOn;
  /** `author`: a failure mentions the person it belongs to (`mention-on-failure`). */
  mentionOnFailure: 'none' | 'author';
  display: DisplayOverrides;
  rootId: string | undefined;
  updatePostId: string | undefined;
  /** Paths or globs relative to the workspace. */
  files: string[];
  userMap: UserMap;
  githubToken: string | undefined;
  dryRun: boolean;
  retries: number;
  timeoutSeconds: number;
  workspace: string;
  /** `thread-key` and its companions; undefined without `thread-key`. */
  thread: ThreadConfig | undefined;
  /** `reactions`, in input order. */
  reactions: Reaction[];
}

/** `thread-key`, `thread-root`, `thread-lookback` (API mode). */
export interface ThreadConfig {
  /** The `thread-key` template. */
  keyTemplate: string;
  /** The `thread-root` template, `built-in`, or undefined (the first message is the root). */
  rootTemplate: string | 'built-in' | undefined;
  lookbackDays: number;
}

/** One `reactions` entry: `name` adds the bot's reaction, `-name` removes it. */
export interface Reaction {
  emoji: string;
  remove: boolean;
}
