/** Shared by the template tests and `scripts/gallery.ts`: run contexts for events, and a mention finder. */
import { buildRunContext, type EventPayload, stringAt } from '../src/context.js';
import type { TemplateContext } from '../src/template/index.js';
import { serverMentions } from './support/mattermost-markdown.js';

export interface ContextOptions {
  status?: string;
  serverUrl?: string;
  /** Extra or overriding `GITHUB_*` variables. */
  env?: Record<string, string>;
}

/** The context a runner would give a step triggered by `eventName` with this payload. */
export function contextFor(
  eventName: string,
  event: EventPayload,
  options: ContextOptions = {},
): TemplateContext {
  const repository = stringAt(event, 'repository', 'full_name') || 'octo-org/hello-world';
  const env: Record<string, string> = {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
    GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
    GITHUB_RUN_ID: '1658821493',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'notify',
    GITHUB_SHA: stringAt(event, 'after') || 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    GITHUB_REF: stringAt(event, 'ref') || 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_ACTOR: stringAt(event, 'sender', 'login') || 'octocat',
    ...options.env,
  };
  const { github, links } = buildRunContext(env, event);
  return { github, links, event: github.event, job: { status: options.status ?? '' }, env: {} };
}

/**
 * The mentions Mattermost's server would find in a message, by its rule read safely (only ASCII
 * letters and digits join a word): see `serverMentions`.
 */
export const findMentions = serverMentions;

/** The targets of the `[text](url)` links in a message (escaped brackets and code are not links). */
export function linkTargets(message: string): string[] {
  return [...withoutInlineCode(message).matchAll(/(?<!\\)\]\(([^)\s]*)\)/g)].map(
    (match) => match[1] ?? '',
  );
}

/** The message with its inline code spans (marked's rule) blanked out. */
export function withoutInlineCode(message: string): string {
  return message.replace(/(?<!\\)(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, ' ');
}
