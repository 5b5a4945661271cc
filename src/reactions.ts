/** `reactions`: the bot's own emoji reactions added or removed on one post, in input order. */
import type { Reaction } from './config.js';
import type { MattermostApi } from './mattermost/api.js';

export async function applyReactions(
  api: MattermostApi,
  botId: string,
  postId: string,
  reactions: Reaction[],
): Promise<void> {
  for (const reaction of reactions) {
    if (reaction.remove) await api.removeReaction(botId, postId, reaction.emoji);
    else await api.addReaction(botId, postId, reaction.emoji);
  }
}
