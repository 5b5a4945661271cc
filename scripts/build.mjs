// `npm run build`: src/index.ts → dist/ with ncc, as CommonJS. The ncc CLI emits ESM for a
// `"type": "module"` package, and Node loads an ESM entry more slowly (a module graph, async
// evaluation) than a CommonJS script; the API lets us ask for CommonJS. The lazily loaded chunks
// (`import()` in src/) become `require`d files next to index.js; ncc --minify leaves them as they
// are, so terser minifies them here.
//
// Every module in dist/index.js is evaluated at start-up (it is there because the entry imports
// it statically), so each module function is wrapped in parentheses: V8 then compiles it at once
// instead of pre-parsing it while compiling the file and parsing it again on its first call. For
// liquidjs (~94 KiB) that double parse cost ~5 ms of CPU per run.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'acorn';
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
writeFileSync(new URL('index.js', dist), compileEagerly(code));
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

/** `{1:(e,t,n)=>{…},…}` (ncc's module table) → `{1:((e,t,n)=>{…}),…}`: see the note at the top. */
function compileEagerly(source) {
  const factories = [];
  const visit = (node) => {
    if (!node || typeof node.type !== 'string') return;
    if (isModuleTable(node)) {
      factories.push(...node.properties.map((property) => property.value));
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(parse(source, { ecmaVersion: 'latest' }));
  if (factories.length === 0) throw new Error('no module table found in the ncc output');
  let wrapped = source;
  for (const { start, end } of factories.sort((a, b) => b.start - a.start)) {
    wrapped = `${wrapped.slice(0, start)}(${wrapped.slice(start, end)})${wrapped.slice(end)}`;
  }
  return wrapped;
}

function isModuleTable(node) {
  return (
    node.type === 'ObjectExpression' &&
    node.properties.length > 0 &&
    node.properties.every(
      (property) =>
        property.type === 'Property' &&
        property.key.type === 'Literal' &&
        typeof property.key.value === 'number' &&
        (property.value.type === 'ArrowFunctionExpression' ||
          property.value.type === 'FunctionExpression'),
    )
  );
}
