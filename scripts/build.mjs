// `npm run build`: src/index.ts → dist/ with ncc, as CommonJS. The ncc CLI emits ESM for a
// `"type": "module"` package, and Node loads an ESM entry more slowly (a module graph, async
// evaluation) than a CommonJS script; the API lets us ask for CommonJS. The lazily loaded chunks
// (`import()` in src/) become `require`d files next to index.js; ncc --minify leaves them as they
// are, so terser minifies them here.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { minify } from 'terser';

const ncc = createRequire(import.meta.url)('@vercel/ncc');
const dist = new URL('../dist/', import.meta.url);
const entry = new URL('../src/index.ts', import.meta.url).pathname;

const { code, assets } = await ncc(entry, {
  esm: false,
  minify: true,
  license: 'licenses.txt',
  quiet: true,
});

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
writeFileSync(new URL('index.js', dist), code);
for (const [name, asset] of Object.entries(assets)) {
  let source = asset.source.toString();
  if (/^\d+\.index\.js$/.test(name)) {
    const minified = await minify(source, { ecma: 2022 });
    if (!minified.code) throw new Error(`terser returned nothing for dist/${name}`);
    source = minified.code;
  }
  writeFileSync(new URL(name, dist), source);
}
// The repository's package.json says "type": "module"; dist/ holds CommonJS.
writeFileSync(new URL('package.json', dist), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
