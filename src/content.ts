/**
 * The post's content: the message and the payload rendered, the payload's fields merged with the
 * inputs (attachments, status colour, display overrides).
 */
import type { Config, MattermostUserRef } from './config.js';
import { isRecord } from './context.js';
import type { PostContent } from './deliver/result.js';
import type { MattermostApi } from './mattermost/api.js';
import {
  renderMessage,
  renderPayload,
  statusAttachment,
  type TemplateContext,
} from './template/index.js';
import { lookupLogin } from './user-map.js';

export async function renderContent(
  config: Config,
  context: TemplateContext,
  api: MattermostApi | undefined,
  warn: (message: string) => void = () => {},
): Promise<PostContent> {
  const mentionFor = await mentionResolver(config, context, api);
  const message = await renderMessage(config.template, context, { mentionFor });
  const payload = config.payload
    ? await renderPayload(config.payload, context, { mentionFor, warn })
    : {};
  // REST users write attachments under props (where the API keeps them), webhook users at the
  // top level: either way they are the payload's attachments, and no status colour replaces them.
  const props = isRecord(payload.props) ? { ...payload.props } : undefined;
  const attachmentsInProps = props?.attachments;
  if (props) delete props.attachments;
  const attachments = Array.isArray(payload.attachments)
    ? payload.attachments
    : Array.isArray(attachmentsInProps)
      ? attachmentsInProps
      : undefined;
  const statusColour =
    config.status && !attachments ? statusAttachment(config.status, context) : undefined;
  const display = { ...config.display };
  // In webhook mode the payload may carry display fields of its own; the inputs win.
  if (typeof payload.username === 'string') display.username ??= payload.username;
  if (typeof payload.icon_url === 'string') display.iconUrl ??= payload.icon_url;
  if (typeof payload.icon_emoji === 'string') display.iconEmoji ??= payload.icon_emoji;
  return {
    message,
    props: props && Object.keys(props).length > 0 ? props : undefined,
    attachments: attachments ?? (statusColour ? [statusColour] : undefined),
    priority: payload.priority as Record<string, unknown> | undefined,
    type: typeof payload.type === 'string' ? payload.type : undefined,
    display,
  };
}

/**
 * The `mention` filter's look-up. A login mapped to an email needs the API to learn the username:
 * the template is first rendered to find which such logins it mentions, and only those are looked up.
 */
async function mentionResolver(
  config: Config,
  context: TemplateContext,
  api: MattermostApi | undefined,
): Promise<(login: string) => string | undefined> {
  const emailsMentioned = new Map<string, string>();
  const fromMap = (login: string): MattermostUserRef | undefined =>
    lookupLogin(config.userMap, login);
  const firstPass = (login: string) => {
    const ref = fromMap(login);
    if (ref?.kind === 'email') emailsMentioned.set(login.toLowerCase(), ref.email);
    return ref?.kind === 'username' ? ref.username : undefined;
  };
  if (!api || config.userMap.size === 0) return firstPass;
  await renderMessage(config.template, context, { mentionFor: firstPass });
  if (config.payload) await renderPayload(config.payload, context, { mentionFor: firstPass });
  const usernames = new Map<string, string>();
  await Promise.all(
    [...emailsMentioned].map(async ([login, email]) => {
      const user = await api.getUserByEmail(email).catch(() => undefined);
      if (user) usernames.set(login, user.username);
    }),
  );
  return (login) => firstPass(login) ?? usernames.get(login.toLowerCase());
}
