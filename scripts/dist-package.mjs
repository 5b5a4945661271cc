// ncc writes ESM chunks; Node needs a package.json beside them that says so.
import { writeFileSync } from 'node:fs';

writeFileSync(
  new URL('../dist/package.json', import.meta.url),
  `${JSON.stringify({ type: 'module' }, null, 2)}\n`,
);
