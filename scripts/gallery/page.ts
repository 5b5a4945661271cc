/**
 * A scene as a page that looks like Mattermost's web app (light "Denim" theme): the bot's
 * avatar, name, BOT badge and time over each post, the attachment's colour bar, and for a
 * thread the thread panel with its replies. An approximation drawn from the app's look, not its
 * code: the avatar is a generated shape.
 */

import { postHtml } from './post-html.js';
import type { GalleryPost, Scene } from './scenes.js';

export const PAGE_WIDTH = 720;

const BOT_NAME = 'mattermost-notify';
const TIMES = ['10:42 AM', '10:58 AM', '11:20 AM', '11:34 AM', '11:51 AM', '12:07 PM'];

/**
 * The colours Mattermost's apps give the attachment colour names (danger is the theme's error
 * text colour, Denim's here); anything else is a CSS colour already.
 */
const ATTACHMENT_COLOURS: Record<string, string> = {
  good: '#00c100',
  warning: '#dede01',
  danger: '#d24b4e',
};

const CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; background: #fff; }
body { font-family: 'Open Sans', sans-serif; color: #3f4350; -webkit-font-smoothing: antialiased; }
.scene { width: ${PAGE_WIDTH}px; padding: 8px 0; background: #fff; }
.post { display: flex; padding: 8px 20px 8px 16px; }
.post__img { flex: none; width: 32px; height: 32px; margin: 2px 12px 0 0; }
.post__body { flex: 1; min-width: 0; }
.post__header { display: flex; align-items: center; height: 20px; margin-bottom: 2px; }
.post__name { font-size: 15px; font-weight: 600; }
.post__tag { margin-left: 4px; padding: 0 4px; border-radius: 4px; background: rgba(63, 67, 80, 0.08);
  font-size: 10px; font-weight: 600; line-height: 16px; letter-spacing: 0.02em; }
.post__time { margin-left: 6px; font-size: 12px; color: rgba(63, 67, 80, 0.64); }
.message { font-size: 14px; line-height: 20px; overflow-wrap: anywhere; }
.message > :first-child { margin-top: 0; }
.message > :last-child { margin-bottom: 0; }
.message p { margin: 0 0 8px; }
.message ul, .message ol { margin: 0 0 8px; padding-left: 24px; }
.message li { margin: 2px 0; }
.message li > ul, .message li > ol { margin: 2px 0 0; }
.message h1, .message h2, .message h3, .message h4 { margin: 10px 0 6px; font-weight: 600; line-height: 1.3; }
.message h1 { font-size: 22px; } .message h2 { font-size: 19px; } .message h3 { font-size: 16px; }
.message h4 { font-size: 14px; }
.message blockquote { margin: 4px 0 8px; padding: 0 0 0 12px; border-left: 4px solid rgba(63, 67, 80, 0.16);
  color: rgba(63, 67, 80, 0.72); }
.message a { color: #386fe5; text-decoration: none; }
.message code { padding: 1px 4px; border: 1px solid rgba(63, 67, 80, 0.12); border-radius: 4px;
  background: rgba(63, 67, 80, 0.06); font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; }
.message pre { margin: 4px 0 8px; padding: 8px 12px; border: 1px solid rgba(63, 67, 80, 0.16);
  border-radius: 4px; background: rgba(63, 67, 80, 0.04); white-space: pre-wrap; }
.message pre code { padding: 0; border: 0; background: none; }
.message table { margin: 4px 0 8px; border-collapse: collapse; }
.message th, .message td { padding: 4px 10px; border: 1px solid rgba(63, 67, 80, 0.16); }
.message hr { border: 0; border-top: 1px solid rgba(63, 67, 80, 0.16); margin: 8px 0; }
.emoticon { display: inline-block; width: 20px; height: 20px; vertical-align: top; margin: 0 1px;
  font-family: 'Noto Color Emoji', sans-serif; font-size: 16px; line-height: 20px; text-align: center; }
.attachment { margin-top: 6px; max-width: 560px; min-height: 28px; padding: 12px; border: 1px solid rgba(63, 67, 80, 0.16);
  border-left: 4px solid; border-radius: 4px; }
.post__edited { margin-left: 4px; font-size: 12px; color: rgba(63, 67, 80, 0.56); }
.reactions { display: flex; gap: 4px; margin-top: 6px; }
.reaction { display: flex; align-items: center; height: 24px; padding: 0 6px 0 4px; border-radius: 4px;
  background: rgba(63, 67, 80, 0.08); font-size: 11px; font-weight: 600; color: rgba(63, 67, 80, 0.64); }
.reaction .emoticon { margin-right: 3px; }
.thread { border: 1px solid rgba(63, 67, 80, 0.16); border-radius: 4px; margin: 0 8px; }
.thread__header { display: flex; align-items: center; height: 48px; padding: 0 16px;
  border-bottom: 1px solid rgba(63, 67, 80, 0.12); }
.thread__title { font-size: 16px; font-weight: 600; }
.thread__channel { margin-left: 8px; font-size: 12px; color: rgba(63, 67, 80, 0.64); }
.thread__replies { display: flex; align-items: center; margin: 4px 16px; font-size: 12px;
  color: rgba(63, 67, 80, 0.64); }
.thread__replies::after { content: ''; flex: 1; margin-left: 12px; border-top: 1px solid rgba(63, 67, 80, 0.12); }
`;

/** The bot's avatar: a round badge with a speech bubble, drawn here. */
const AVATAR = `<svg class="post__img" viewBox="0 0 32 32" aria-hidden="true">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2f6fe8"/><stop offset="1" stop-color="#1a3f9e"/></linearGradient></defs>
<circle cx="16" cy="16" r="16" fill="url(#g)"/>
<path d="M9 10.5a2.5 2.5 0 0 1 2.5-2.5h9a2.5 2.5 0 0 1 2.5 2.5v6a2.5 2.5 0 0 1-2.5 2.5h-5.2l-3.8 3.2v-3.2a2.5 2.5 0 0 1-2.5-2.5z" fill="#fff"/>
<circle cx="13" cy="13.5" r="1.3" fill="#1f4fb8"/><circle cx="16" cy="13.5" r="1.3" fill="#1f4fb8"/><circle cx="19" cy="13.5" r="1.3" fill="#1f4fb8"/>
</svg>`;

function postBlock(post: GalleryPost, index: number, emoji: ReadonlyMap<string, string>): string {
  const colour = post.attachment
    ? (ATTACHMENT_COLOURS[post.attachment.color] ?? post.attachment.color)
    : undefined;
  const attachment = colour
    ? `<div class="attachment" style="border-left-color: ${escapeAttribute(colour)}"></div>`
    : '';
  let message = postHtml(post.message, emoji).trim();
  if (post.edited) {
    const edited = '<span class="post__edited">Edited</span>';
    message = message.endsWith('</p>') ? `${message.slice(0, -4)}${edited}</p>` : message + edited;
  }
  const reactions = post.reactions?.length
    ? `<div class="reactions">${post.reactions
        .map(
          (name) =>
            `<span class="reaction">${postHtml(`:${name}:`, emoji)
              .replace(/<\/?p>/g, '')
              .trim()}1</span>`,
        )
        .join('')}</div>`
    : '';
  return `<div class="post">${AVATAR}<div class="post__body">
<div class="post__header"><span class="post__name">${BOT_NAME}</span><span class="post__tag">BOT</span><time class="post__time">${TIMES[index % TIMES.length]}</time></div>
<div class="message">${message}</div>${attachment}${reactions}
</div></div>`;
}

/** The scene's markup, without the page around it. */
export function sceneHtml(scene: Scene, emoji: ReadonlyMap<string, string>): string {
  const posts = scene.posts.map((post, index) => postBlock(post, index, emoji));
  if (scene.layout === 'channel') {
    return `<div class="scene" id="${scene.id}">${posts.join('\n')}</div>`;
  }
  const [root, ...replies] = posts;
  const count = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
  return `<div class="scene" id="${scene.id}"><div class="thread">
<div class="thread__header"><span class="thread__title">Thread</span><span class="thread__channel">Town Square</span></div>
${root ?? ''}
<div class="thread__replies">${count}</div>
${replies.join('\n')}
</div></div>`;
}

/** A whole page holding the given scenes; `measure` makes it write each scene's height into the DOM. */
export function pageHtml(scenesMarkup: string[], measure = false): string {
  const script = measure
    ? `<script>for (const s of document.querySelectorAll('.scene')) s.dataset.height = Math.ceil(s.getBoundingClientRect().height);</script>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>${scenesMarkup.join('\n')}${script}</body></html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
