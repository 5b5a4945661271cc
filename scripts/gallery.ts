/**
 * Writes docs/gallery.md: every built-in message rendered from a real example payload, without
 * and with a job status, each under its picture, then a failed run and a thread. `npm run
 * gallery` also draws the pictures (docs/gallery/*.png) with headless Chromium; `npx tsx
 * scripts/gallery.ts` writes only the Markdown. A test fails while the Markdown is out of date.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mattermostEmoji } from './emoji/shortcodes.js';
import { capture, installTools, sceneHeights } from './gallery/capture.js';
import { PAGE_WIDTH, pageHtml, sceneHtml } from './gallery/page.js';
import { type Scene, scenes } from './gallery/scenes.js';

export { scheduleExample } from './gallery/scenes.js';

export const galleryPath = resolve(import.meta.dirname, '../docs/gallery.md');
const picturesFolder = resolve(import.meta.dirname, '../docs/gallery');

export async function galleryMarkdown(): Promise<string> {
  const sections: string[] = [
    '# Gallery of built-in messages',
    '',
    'What the action posts when `message` is empty, rendered from the example payloads in',
    '[`@octokit/webhooks-examples`](https://github.com/octokit/webhooks) (`schedule` from',
    '`test/fixtures/schedule.json`). Each picture shows the post as Mattermost draws it, first',
    'without `status`, then with it (which adds the status line, and an attachment with the',
    'status colour to the post); its Markdown source follows. Any event without a message of its',
    'own gets the generic one (`star`). Examples marked "adjusted" had a field changed to show a',
    'case the corpus has no example of. Last come a failed run and a thread.',
    '',
    "The pictures are drawn by `npm run gallery`: the Markdown goes through Mattermost's own",
    'parser (`@mattermost/commonmark`), emoji names become the emoji, and the page is styled like',
    "Mattermost's web app (the light Denim theme) and captured by headless Chromium. They are a",
    'close likeness, not screenshots of a server. `npx tsx scripts/gallery.ts` rewrites this file',
    'alone; a test fails when it is out of date.',
  ];
  for (const scene of await scenes()) {
    sections.push('', `## ${scene.heading}`, '');
    if (scene.text) sections.push(scene.text, '');
    sections.push(`![${altText(scene)}](gallery/${scene.id}.png)`);
    for (const post of scene.posts) {
      sections.push('');
      if (post.caption) sections.push(post.caption, '');
      sections.push(fenced(post.message));
    }
  }
  return `${sections.join('\n')}\n`;
}

function altText(scene: Scene): string {
  const what = scene.heading.replace(/`/g, '');
  return scene.layout === 'thread'
    ? `${what}: the root post and its replies in Mattermost's thread panel`
    : `${what}: the post${scene.posts.length > 1 ? 's' : ''} as Mattermost shows ${scene.posts.length > 1 ? 'them' : 'it'}`;
}

/** A fence longer than any backtick run in the text. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}markdown\n${text}\n${fence}`;
}

/** Draws docs/gallery/{id}.png for every scene, and removes pictures of scenes that are gone. */
async function drawPictures(): Promise<void> {
  installTools();
  const emoji = mattermostEmoji();
  const all = await scenes();
  const markup = all.map((scene) => sceneHtml(scene, emoji));
  const heights = sceneHeights(pageHtml(markup, true), PAGE_WIDTH);
  mkdirSync(picturesFolder, { recursive: true });
  const wanted = new Set(all.map((scene) => `${scene.id}.png`));
  for (const file of readdirSync(picturesFolder)) {
    if (file.endsWith('.png') && !wanted.has(file)) rmSync(join(picturesFolder, file));
  }
  let total = 0;
  for (const [index, scene] of all.entries()) {
    const height = heights.get(scene.id);
    if (!height) throw new Error(`Chromium did not lay out the scene ${scene.id}`);
    const png = join(picturesFolder, `${scene.id}.png`);
    const size = capture(pageHtml([markup[index] ?? '']), PAGE_WIDTH, height, png);
    total += size;
    console.log(`${png} ${PAGE_WIDTH}×${height} ${(size / 1024).toFixed(1)} KiB`);
  }
  console.log(`${all.length} pictures, ${(total / 1024).toFixed(1)} KiB in all`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(galleryPath, await galleryMarkdown());
  console.log(`Wrote ${galleryPath}`);
  if (process.argv.includes('--pictures')) await drawPictures();
}
