import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { galleryMarkdown, galleryPath } from '../scripts/gallery.js';

it('docs/gallery.md shows the built-in messages as they are now', async () => {
  const written = readFileSync(galleryPath, 'utf8');
  expect(written, 'docs/gallery.md is out of date: run `npx tsx scripts/gallery.ts`').toBe(
    await galleryMarkdown(),
  );
});
