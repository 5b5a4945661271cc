/**
 * `mention-on-failure: author`: the person a failure belongs to (the pull request's author, else
 * the head commit's), and the Mattermost user to mention for them, found the way `github-user` is.
 */
import type { UserMap } from '../config.js';
import { type EventPayload, isRecord, stringAt } from '../context.js';
import type { LoginResolution } from '../github-users.js';

export interface FailureAuthor {
  /** GitHub login, when the event names one. */
  login: string | undefined;
  /** The head commit's author email, when the event carries it. */
  email: string | undefined;
  /** What to print when no Mattermost user is found: the login, else the commit author's name. */
  label: string;
}

export interface AuthorMention {
  /** The key the `mention` filter is asked with (`failure_author.login` in templates). */
  label: string;
  /** Mattermost username to mention; undefined prints the plain label. */
  username: string | undefined;
  /** Why no user was found, for the log. */
  reason?: string;
}

export interface MentionDependencies {
  resolveLogins: (logins: string[]) => Promise<LoginResolution[]>;
  /** Mattermost username for an email (API mode); undefined where it cannot be looked up. */
  usernameForEmail: ((email: string) => Promise<string | undefined>) | undefined;
}

/** Names that would ping a whole channel if printed after `@`. */
const CHANNEL_WIDE = new Set(['all', 'channel', 'here']);
const USERNAME = /^[a-z0-9][a-z0-9._-]*$/i;

/** The failure's author and the user to mention, with a line for the log when nobody is mentioned. */
export async function mentionFailureAuthor(
  event: EventPayload,
  dependencies: MentionDependencies,
): Promise<{ mention: AuthorMention | undefined; note: string | undefined }> {
  const author = failureAuthorOf(event);
  if (!author) {
    return {
      mention: undefined,
      note: 'mention-on-failure: the event names no pull request or commit author to mention.',
    };
  }
  const mention = await resolveAuthorMention(author, dependencies);
  const note = mention.username
    ? undefined
    : `mention-on-failure: ${author.label} is printed without a mention${mention.reason ? ` (${mention.reason})` : ''}.`;
  return { mention, note };
}

/**
 * The user map the `mention` filter sees: the author mapped to the user found, or to nobody (so
 * that a map entry naming no one person, such as `all`, cannot ping through it either).
 */
export function userMapWithMention(userMap: UserMap, mention: AuthorMention): UserMap {
  const map = new Map(userMap);
  const key = mention.label.trim().replace(/^@/, '').toLowerCase();
  if (mention.username) map.set(key, { kind: 'username', username: mention.username });
  else map.delete(key);
  return map;
}

export function failureAuthorOf(event: EventPayload): FailureAuthor | undefined {
  const pullRequestAuthor = stringAt(event, 'pull_request', 'user', 'login');
  const commit = isRecord(event.workflow_run) ? event.workflow_run.head_commit : event.head_commit;
  const email = stringAt(commit, 'author', 'email') || undefined;
  const login = pullRequestAuthor || stringAt(commit, 'author', 'username') || undefined;
  const label = login ?? stringAt(commit, 'author', 'name');
  if (!label) return undefined;
  return { login, email: pullRequestAuthor ? undefined : email, label };
}

export async function resolveAuthorMention(
  author: FailureAuthor,
  dependencies: MentionDependencies,
): Promise<AuthorMention> {
  let reason: string | undefined;
  if (author.login) {
    const [resolution] = await dependencies.resolveLogins([author.login]);
    if (resolution?.outcome === 'found') {
      const user = resolution.user;
      const username =
        user.kind === 'username' ? user.username : await emailUser(user.email, dependencies);
      if (username) return mention(author.label, username);
    } else if (resolution?.outcome === 'unresolved') {
      reason = resolution.reason;
    }
  }
  if (author.email) {
    const username = await emailUser(author.email, dependencies);
    if (username) return mention(author.label, username);
  }
  return { label: author.label, username: undefined, reason };
}

async function emailUser(
  email: string,
  dependencies: MentionDependencies,
): Promise<string | undefined> {
  return dependencies.usernameForEmail?.(email).catch(() => undefined);
}

function mention(label: string, username: string): AuthorMention {
  const name = username.replace(/^@/, '');
  if (CHANNEL_WIDE.has(name.toLowerCase()) || !USERNAME.test(name)) {
    return { label, username: undefined, reason: `@${name} would not name one person` };
  }
  return { label, username: name.toLowerCase() };
}
