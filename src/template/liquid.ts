/**
 * liquidjs, from its browser build: the same engine as its Node build, without what that build
 * requires when it is loaded: `crypto` (for the `sha256` filters), `stream` (streamed rendering),
 * `fs` and `path` (template files). Templates here never read files or stream, and `crypto` alone
 * is ~4 ms of a webhook run's start-up. The `sha256` and `hmac_sha256` filters still work: the
 * browser build computes them with Web Crypto, when they are used.
 */
export * from 'liquidjs/dist/liquid.browser.mjs';
