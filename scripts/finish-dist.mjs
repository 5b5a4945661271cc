// After ncc: mark dist/ as ESM, and minify the lazily loaded chunks, which ncc --minify leaves as
// they are (only dist/index.js is minified).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const dist = new URL('../dist/', import.meta.url);
writeFileSync(new URL('package.json', dist), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);

for (const name of readdirSync(dist).filter((file) => /^\d+\.index\.js$/.test(file))) {
  const file = new URL(name, dist);
  const { code } = await minify(readFileSync(file, 'utf8'), { module: true, ecma: 2022 });
  if (!code) throw new Error(`terser returned nothing for dist/${name}`);
  writeFileSync(file, code);
}
