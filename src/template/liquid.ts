/**
 * liquidjs, from its browser build: the same engine as its Node build, without what that build
 * requires when it is loaded: `crypto` (for the `sha256` filters), `stream` (streamed rendering),
 * `fs` and `path` (template files). Templates here never read files or stream, and `crypto` alone
 * is ~4 ms of a webhook run's start-up. The three filters whose browser version differs
 * (`sha256`, `hmac_sha256`, `base64_decode`) are replaced with the Node build's
 * (src/template/node-filters.ts).
 */
export * from 'liquidjs/dist/liquid.browser.mjs';
