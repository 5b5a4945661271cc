import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { galleryMarkdown, galleryPath } from '../scripts/gallery.js';

it('docs/gallery.md shows the built-in messages as they are now', async () => {
  const written = readFileSync(galleryPath, 'utf8');
  expect(
    written,
    'docs/gallery.md is out of date: run `npm run gallery` (or `npx tsx scripts/gallery.ts` for the Markdown alone)',
  ).toBe(await galleryMarkdown());
});

it('docs/gallery.md shows a picture for each scene, and docs/gallery/ holds no other', () => {
  const written = readFileSync(galleryPath, 'utf8');
  const shown = [...written.matchAll(/!\[[^\]]*\]\(gallery\/([^)]+\.png)\)/g)].map((m) => m[1]);
  const pictures = readdirSync(join(dirname(galleryPath), 'gallery')).filter((f) =>
    f.endsWith('.png'),
  );
  expect(shown.length).toBeGreaterThan(0);
  expect(pictures.sort(), 'run `npm run gallery` to draw the pictures').toEqual([...shown].sort());
});

it('the pictures the README shows exist', () => {
  const readme = readFileSync(join(dirname(galleryPath), '../README.md'), 'utf8');
  const shown = [...readme.matchAll(/!\[[^\]]*\]\((docs\/gallery\/[^)]+\.png)\)/g)].map(
    (m) => m[1],
  );
  expect(shown).toHaveLength(3);
  for (const picture of shown) {
    expect(existsSync(join(dirname(galleryPath), '..', picture ?? '')), picture).toBe(true);
  }
});
