import type { ActionError } from '../errors.js';
import { describeAnswer, serverError, unexpectedAnswerError } from './answer.js';
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
  const s = answer.suffix;
  const say = (message: string) => serverError(response, message);
  const channel = body.channel ?? label;
  switch (`${answer.status} ${answer.id ?? ''}`) {
    case '400 web.incoming_webhook.invalid.app_error':
      return say(
        `The server does not know this webhook: it was deleted or the URL is mistyped; create a new incoming webhook and update webhook-url ${s}.`,
      );
    case '501 web.incoming_webhook.disabled.app_error':
      return say(
        `Incoming webhooks are disabled on this Mattermost server: a system admin must enable them in System Console → Integrations → Integration Management ${s}.`,
      );
    case '404 web.incoming_webhook.channel.app_error':
      return say(
        `Channel "${stripPrefix(channel)}" does not exist in the webhook's team: use the channel's name from its URL (not its display name), or a webhook of the right team ${s}.`,
      );
    case '400 web.incoming_webhook.user.app_error':
      return say(
        `There is no Mattermost user "@${stripPrefix(channel)}": check the username ${s}.`,
      );
    case '403 web.incoming_webhook.channel_locked.app_error':
      return say(
        `The webhook is locked to its own channel, so it cannot post to ${quoted(channel)}: remove channel/user for this webhook, or untick "Lock to this channel" in the webhook's settings ${s}.`,
      );
    case '403 web.incoming_webhook.permissions.app_error':
      return say(
        `The webhook's creator cannot post in the private channel ${quoted(channel)}: add them to the channel, or use a webhook created by a member ${s}.`,
      );
    case '400 web.incoming_webhook.text.app_error':
      return say(
        `The webhook refused an empty message: give message (or message-file), or a payload with attachments ${s}.`,
      );
    case '400 model.incoming_hook.parse_data.app_error':
      return say(
        `The webhook could not read the message as JSON ${s}: this is a bug in mattermost-notify, please report it with the step's log.`,
      );
    case '400 api.context.invalid_param.app_error':
      return say(
        `The webhook refused a post field ${s}: in payload, priority needs priority.priority ("important" or "urgent") and type must not start with "system_".`,
      );
  }
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

function stripPrefix(channel: string): string {
  return channel.replace(/^[@#~]/, '');
}

function quoted(channel: string): string {
  return channel.startsWith('@') ? channel : `"${stripPrefix(channel)}"`;
}
