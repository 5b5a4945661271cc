import type { ActionError } from '../errors.js';
import {
  type DescribedAnswer,
  describeAnswer,
  serverError,
  unexpectedAnswerError,
} from './answer.js';
import type { Http, HttpResponse } from './http.js';
import { redactUrl } from './http.js';

export interface WebhookBody {
  text: string;
  channel?: string;
  username?: string;
  icon_url?: string;
  icon_emoji?: string;
  props?: Record<string, unknown>;
  attachments?: unknown[];
  type?: string;
  priority?: Record<string, unknown>;
}

/**
 * Posts one message through an incoming webhook. `label` names the destination in errors
 * (e.g. `the webhook's channel`, `@jo`, `town-square`).
 */
export async function postToWebhook(
  http: Http,
  webhookUrl: string,
  body: WebhookBody,
  label: string,
): Promise<void> {
  const response = await http.send({
    method: 'POST',
    url: webhookUrl,
    headers: { 'Content-Type': 'application/json', Accept: 'text/plain, application/json' },
    body: JSON.stringify(body),
    policy: 'webhook',
  });
  if (response.status === 200 && response.text.trim() === 'ok') return;
  throw webhookError(response, webhookUrl, body, label);
}

function webhookError(
  response: HttpResponse,
  webhookUrl: string,
  body: WebhookBody,
  label: string,
): ActionError {
  const answer = describeAnswer(response);
  const say = (message: string) => serverError(response, message);
  const message = bySpecificId(answer, body, label) ?? byStatus(answer, body, label);
  if (message !== undefined) return say(message);
  const s = answer.suffix;
  if (response.status === 502 || response.status === 504) {
    return say(
      `POST ${redactUrl(webhookUrl)} for ${label} got ${s} from a proxy; the message may or may not have been posted, so it was not retried (a webhook post cannot be repeated safely): check the channel before running again.`,
    );
  }
  if (response.status >= 200 && response.status < 300) {
    return say(
      `POST ${redactUrl(webhookUrl)} did not answer like a Mattermost webhook ${s}: check that webhook-url is the incoming webhook's URL; the message may or may not have been posted.`,
    );
  }
  return unexpectedAnswerError(response, `Posting to ${label} through the webhook`);
}

/** Older (v8-era) servers name the cause; current ones wrap it (see `byStatus`). */
function bySpecificId(
  answer: DescribedAnswer,
  body: WebhookBody,
  label: string,
): string | undefined {
  const s = answer.suffix;
  const channel = body.channel ?? label;
  switch (`${answer.status} ${answer.id ?? ''}`) {
    case '400 web.incoming_webhook.invalid.app_error':
      return `The server does not know this webhook: it was deleted or the URL is mistyped; create a new incoming webhook and update webhook-url ${s}.`;
    case '501 web.incoming_webhook.disabled.app_error':
      return disabled(s);
    case '404 web.incoming_webhook.channel.app_error':
      return channelNotFound(body, s);
    case '400 web.incoming_webhook.user.app_error':
      return `There is no Mattermost user "@${stripPrefix(channel)}": check the username ${s}.`;
    case '403 web.incoming_webhook.channel_locked.app_error':
      return `The webhook is locked to its own channel, so it cannot post to ${quoted(channel)}: remove channel/user for this webhook, or untick "Lock to this channel" in the webhook's settings ${s}.`;
    case '403 web.incoming_webhook.permissions.app_error':
      return `The webhook's creator cannot post in the private channel ${quoted(channel)}: add them to the channel, or use a webhook created by a member ${s}.`;
    case '400 web.incoming_webhook.text.app_error':
      return `The webhook refused an empty message: give message (or message-file), or a payload with attachments ${s}.`;
    case '400 model.incoming_hook.parse_data.app_error':
    case '400 web.incoming_webhook.decode.app_error':
      return `The webhook could not read the message as JSON ${s}: this is a bug in mattermost-notify, please report it with the step's log.`;
    case '400 api.context.invalid_param.app_error':
      return `The webhook refused a post field ${s}: in payload, priority needs priority.priority ("important" or "urgent") and type must not start with "system_".`;
    case '500 api.post.create_webhook_post.creating.app_error':
      return refusedPost(body, s);
  }
  return undefined;
}

/**
 * Current servers answer every webhook failure as `web.incoming_webhook.general.app_error` with
 * the original status, and keep the cause to themselves: the status is all there is to go on.
 */
function byStatus(answer: DescribedAnswer, body: WebhookBody, label: string): string | undefined {
  const s = answer.suffix;
  const channel = body.channel ?? label;
  const target = body.channel === undefined ? '' : ` for ${quoted(channel)}`;
  switch (answer.status) {
    case 400:
      return `The webhook refused the message${target} ${s}: the webhook was deleted or webhook-url is mistyped (create a new incoming webhook), ${body.channel?.startsWith('@') ? `there is no Mattermost user ${channel}, ` : ''}the message is empty, or payload's priority or type is invalid (priority needs priority.priority; type must not start with "system_").`;
    case 403:
      return body.channel === undefined
        ? `The webhook may not post to its own channel ${s}: it is private and the webhook's creator is no longer in it; use a webhook created by a member.`
        : `The webhook may not post to ${quoted(channel)} ${s}: the webhook is locked to its own channel (remove channel/user, or untick "Lock to this channel" in its settings), or ${quoted(channel)} is a private channel the webhook's creator is not in.`;
    case 404:
      return channelNotFound(body, s);
    case 500:
      // Hardened mode blanks the id of every 5xx; a `type` is still the likely cause.
      return answer.id === undefined && body.type === undefined
        ? `Mattermost failed to create the webhook's post ${s} and did not say why (hardened mode hides it); it was not retried (a webhook post cannot be repeated safely): check the channel, and the server logs for the request id, before running again.`
        : refusedPost(body, s);
    case 501:
      return disabled(s);
  }
  return undefined;
}

function disabled(s: string): string {
  return `Incoming webhooks are disabled on this Mattermost server: a system admin must enable them in System Console → Integrations → Integration Management ${s}.`;
}

function channelNotFound(body: WebhookBody, s: string): string {
  if (body.channel === undefined) {
    return `The webhook's own channel was not found ${s}: it was deleted or archived; create a webhook for a channel that exists.`;
  }
  return `Channel "${stripPrefix(body.channel)}" does not exist in the webhook's team: use the channel's name from its URL (not its display name), or a webhook of the right team ${s}.`;
}

/** CreateWebhookPost failed: the post itself was refused (e.g. its type); repeating it changes nothing. */
function refusedPost(body: WebhookBody, s: string): string {
  const type =
    body.type === undefined
      ? ''
      : `; its type "${body.type}" is the likely cause: payload type must be empty, "slack_attachment" or start with "custom_"`;
  return `Mattermost refused to create the webhook's post ${s}${type}; it was not retried (see the server logs for the request id).`;
}

function stripPrefix(channel: string): string {
  return channel.replace(/^[@#~]/, '');
}

function quoted(channel: string): string {
  return channel.startsWith('@') ? channel : `"${stripPrefix(channel)}"`;
}
