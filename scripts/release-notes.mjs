// Prints the CHANGELOG.md section of a version (`v1.2.3` or `1.2.3`): the release's notes.
// Exits 1 when the changelog has no such section, so a release cannot go out without notes.
import { readFileSync } from 'node:fs';

const version = (process.argv[2] ?? '').replace(/^v/, '');
const changelog = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8');
const lines = changelog.split('\n');
const start = lines.findIndex((line) =>
  new RegExp(`^## \\[?v?${version.replace(/\./g, '\\.')}\\]?( |$)`).test(line),
);
if (!version || start < 0) {
  console.error(
    `CHANGELOG.md has no "## ${version || '<version>'}" section: add the release's notes.`,
  );
  process.exit(1);
}
const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
const notes = lines
  .slice(start + 1, end < 0 ? undefined : end)
  .join('\n')
  .trim();
if (!notes) {
  console.error(`CHANGELOG.md's section for ${version} is empty: add the release's notes.`);
  process.exit(1);
}
console.log(notes);
