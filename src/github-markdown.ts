/**
 * A Mattermost message as GitHub should show it in the step summary: what Mattermost draws
 * differently from GitHub is turned into what GitHub draws the same way.
 */
import { EMOJI_CHARACTERS } from './emoji.js';

/**
 * The message as a GitHub blockquote: `:emoji:` names the built-ins use become their characters
 * (GitHub's own names differ in places), HTML shows as the text it is in Mattermost, a
 * `~channel` link cannot start a GitHub strikethrough, each line break stays a line break
 * (Mattermost keeps them, GitHub joins lines), and the quote closes whatever the message leaves
 * open, such as a code fence, before the summary goes on.
 */
export function quotedForGitHub(message: string): string {
  const lines = message.replace(/\r\n?/g, '\n').split('\n');
  let fence: string | undefined;
  const shown = lines.map((line, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (opener?.startsWith(fence) && opener[0] === fence[0] && line.trim() === opener) {
        fence = undefined;
      }
      return line;
    }
    if (opener) {
      fence = opener;
      return line;
    }
    const next = lines[index + 1];
    const breaks = line.trim() !== '' && next !== undefined && next.trim() !== '';
    const hard = line.endsWith('  ') || line.endsWith('\\');
    return outsideInlineCode(line, forGitHub) + (breaks && !hard ? '  ' : '');
  });
  return shown.map((line) => (line === '' ? '>' : `> ${line}`)).join('\n');
}

function forGitHub(text: string): string {
  return (
    text
      // Mattermost shows HTML as text; GitHub would render it, and `<!--` would hide the rest of
      // the summary. Autolinks (`<https://…>`) are Markdown in both and stay.
      .replace(/<(?!(?:https?|mailto):[^\s<>]*>)/g, '&lt;')
      .replace(/(?<![\w\\~])~(?=[\w-])/g, '\\~')
      .replace(/(?<![\w\\]):([a-z0-9_+-]+):(?![\w:])/g, (shortcode, name: string) => {
        return EMOJI_CHARACTERS.get(name) ?? shortcode;
      })
  );
}

/** `change` applied to the parts of a line that are not inline code. */
function outsideInlineCode(line: string, change: (text: string) => string): string {
  let out = '';
  let from = 0;
  for (const span of line.matchAll(/(?<![\\`])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g)) {
    out += change(line.slice(from, span.index)) + span[0];
    from = span.index + span[0].length;
  }
  return out + change(line.slice(from));
}
