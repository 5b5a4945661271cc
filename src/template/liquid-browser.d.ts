// liquidjs ships one set of types, for every build (src/template/liquid.ts says why we use this one).
declare module 'liquidjs/dist/liquid.browser.mjs' {
  export * from 'liquidjs';
}
