/**
 * `npx tsx scripts/hostile-timing.ts`: how long the escaping takes on the inputs that were
 * quadratic (issue 11), at 64 KB and 128 KB, through a template and through the built-in release
 * message. Measured, not asserted: a linear pass takes about twice as long at twice the size.
 */
import type { EventPayload } from '../src/context.js';
import { renderMessage } from '../src/template/index.js';
import { exampleOf } from '../test/support/examples.js';
import { contextFor } from '../test/template-helpers.js';

const shapes: Record<string, (n: number) => string> = {
  'bare URL + dots + x': (n) => `see https://a.example/${'.'.repeat(n)}x`,
  'bare URL + ".," pairs': (n) => `see https://a.example/${'.,'.repeat(n / 2)}a`,
  '"[x](" + spaces': (n) => `[x](${' '.repeat(n)}y`,
  '"[r]:" + spaces': (n) => `[r]:${' '.repeat(n)}x`,
  'spaces around a newline': (n) => `${' '.repeat(n / 2)}\n${' '.repeat(n / 2)}x`,
  '"](a" repeated': (n) => '](a'.repeat(n / 3),
  '"<a" repeated': (n) => '<a'.repeat(n / 2),
  '"[a" repeated': (n) => '[a'.repeat(n / 2),
  '"$a " repeated': (n) => '$a '.repeat(n / 3),
  'definitions and references': (n) =>
    `${'[r]: https://a.example/\n'.repeat(n / 48)}\n${'[r] [x][r] '.repeat(n / 24)}`,
  '"]:" repeated': (n) => ']:'.repeat(n / 2),
  '"<pre>" lines': (n) => '<pre>\n'.repeat(n / 6),
  '"~#@" repeated': (n) => '~#@a'.repeat(n / 4),
};

const TEMPLATES = {
  escaped: '{{ event.comment.body }}',
  markdown: '{{ event.comment.body | markdown }}',
  link: '{{ event.comment.body | link: "https://example.com" }}',
};

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const comment = structuredClone(exampleOf('issue_comment', 'created'));
const release = structuredClone(exampleOf('release', 'published'));
const rows: string[] = [];
for (const [name, shape] of Object.entries(shapes)) {
  for (const size of [65_536, 131_072]) {
    const body = shape(size);
    (comment.comment as EventPayload).body = body;
    (release.release as EventPayload).body = body;
    const commentContext = contextFor('issue_comment', comment);
    const cells: string[] = [];
    for (const template of Object.values(TEMPLATES)) {
      const ms = await time(() =>
        renderMessage(template, commentContext).catch((error: unknown) => error),
      );
      cells.push(ms.toFixed(0).padStart(6));
    }
    const ms = await time(() => renderMessage(undefined, contextFor('release', release)));
    cells.push(ms.toFixed(0).padStart(6));
    rows.push(`${name.padEnd(26)} ${String(size / 1024).padStart(4)} KB ${cells.join(' ')}`);
  }
}
console.log(`${'input'.padEnd(26)} size   ${Object.keys(TEMPLATES).join('  ')}  release (ms)`);
for (const row of rows) console.log(row);
