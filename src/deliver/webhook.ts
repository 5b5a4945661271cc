/** Webhook mode: one POST per message part to the hook, per channel override. */
import type { Destination } from '../config.js';
import { DEFAULT_MAX_POST_SIZE } from '../mattermost/post-size.js';
import type { WebhookBody } from '../mattermost/webhook.js';
import { splitMessage } from '../split.js';
import { mapConcurrently } from './concurrent.js';
import {
  type DeliveryResult,
  messageOf,
  type PostContent,
  type ResolveLogins,
  result,
  WEBHOOK_CHANNEL,
} from './result.js';

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
        // The server looks the override up exactly as given, and channel names are lowercase.
        targets.push({ entry: destination.entry, channel: destination.name.toLowerCase() });
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
          targets.push({
            entry: destination.entry,
            channel: `@${resolution.user.username.toLowerCase()}`,
          });
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
