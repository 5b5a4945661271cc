/**
 * A message's HTML as Mattermost draws it: parsed by Mattermost's own Markdown parser
 * (`@mattermost/commonmark`, the one its mobile app uses), line breaks kept, emoji names drawn
 * as their characters, mentions, channel links and hashtags as links, raw HTML as text.
 */
import { HtmlRenderer, type Node, Parser } from '@mattermost/commonmark';

interface Internals {
  lit(text: string): void;
  out(text: string): void;
  esc(text: string): string;
}
interface MattermostNode extends Node {
  emojiName?: string;
  mentionName?: string;
  channelName?: string;
  hashtag?: string;
  latexCode?: string;
}
type Draw = (this: Internals, node: MattermostNode) => void;

export function postHtml(message: string, emoji: ReadonlyMap<string, string>): string {
  const renderer = new HtmlRenderer({ softbreak: '<br />', safe: true });
  const draw: Record<string, Draw> = {
    emoji(node) {
      const character = emoji.get(node.emojiName ?? '');
      if (character) {
        this.lit(
          `<span class="emoticon" title=":${this.esc(node.emojiName ?? '')}:">${character}</span>`,
        );
      } else this.out(node.literal ?? '');
    },
    at_mention(node) {
      this.lit(`<a class="mention">@${this.esc(node.mentionName ?? '')}</a>`);
    },
    channel_link(node) {
      this.lit(`<a>~${this.esc(node.channelName ?? '')}</a>`);
    },
    hashtag(node) {
      this.lit(`<a>#${this.esc(node.hashtag ?? '')}</a>`);
    },
    latex_inline(node) {
      this.lit(`<code>${this.esc(node.latexCode ?? '')}</code>`);
    },
    // Mattermost shows HTML in a message as the text it is.
    html_inline(node) {
      this.out(node.literal ?? '');
    },
    html_block(node) {
      this.lit(`<p>${this.esc(node.literal ?? '').replace(/\n/g, '<br />')}</p>`);
    },
  };
  Object.assign(renderer, draw);
  return renderer.render(new Parser().parse(message));
}
