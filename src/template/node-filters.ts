/**
 * The filters in which liquidjs's browser build (src/template/liquid.ts) differs from its Node
 * build, made to give what the Node build gives: the browser build hashes with Web Crypto, which
 * is asynchronous and refuses an empty HMAC key, and decodes base64 with a TextDecoder, which
 * drops a leading byte order mark. `node:crypto` is loaded when a template first hashes.
 */
import { type FilterImpl, handlerOf, plainText } from './filters.js';
import type { Liquid } from './liquid.js';

export function registerNodeFilters(liquid: Liquid): void {
  const builtInDecode = liquid.filters.base64_decode;
  if (!builtInDecode) throw new Error('liquidjs has no base64_decode filter');
  const checkBase64 = handlerOf(builtInDecode);
  liquid.registerFilter('sha256', function (this: FilterImpl, value: unknown) {
    const text = plainText(value);
    this.context.memoryLimit.use(text.length);
    return nodeCrypto().createHash('sha256').update(text, 'utf8').digest('hex');
  });
  liquid.registerFilter('hmac_sha256', function (this: FilterImpl, value: unknown, key: unknown) {
    const [text, secret] = [plainText(value), plainText(key)];
    this.context.memoryLimit.use(text.length + secret.length);
    return nodeCrypto().createHmac('sha256', secret).update(text, 'utf8').digest('hex');
  });
  liquid.registerFilter('base64_decode', function (this: FilterImpl, value: unknown) {
    // liquidjs's own filter first, for its memory budget and "invalid base64" error.
    checkBase64.call(this, value);
    return Buffer.from(plainText(value), 'base64').toString('utf8');
  });
}

function nodeCrypto(): typeof import('node:crypto') {
  return process.getBuiltinModule('node:crypto');
}
