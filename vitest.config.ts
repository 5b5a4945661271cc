import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Checks every request against Mattermost's OpenAPI files (test/support/openapi.ts).
    setupFiles: ['test/support/openapi-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
