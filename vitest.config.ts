import { readFile } from 'node:fs/promises';
import { defineConfig, type Plugin } from 'vitest/config';

// GitHub's workflow parser imports its JSON schemas without `with { type: 'json' }`, which Node
// refuses: Vite loads these packages instead of Node.
const GITHUB_PARSERS = ['@actions/workflow-parser', '@actions/languageservice'];

/** Loads those packages without their source maps, which point to sources they do not ship. */
const withoutSourceMaps: Plugin = {
  name: 'github-parsers-without-source-maps',
  async load(id) {
    if (!GITHUB_PARSERS.some((name) => id.includes(`/node_modules/${name}/`))) return null;
    if (!id.endsWith('.js')) return null;
    const code = await readFile(id, 'utf8');
    return { code: code.replace(/^\/\/# sourceMappingURL=.*$/m, ''), map: null };
  },
};

export default defineConfig({
  plugins: [withoutSourceMaps],
  test: {
    include: ['test/**/*.test.ts'],
    // Checks every request against Mattermost's OpenAPI files (test/support/openapi.ts).
    setupFiles: ['test/support/openapi-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    server: { deps: { inline: GITHUB_PARSERS } },
  },
});
