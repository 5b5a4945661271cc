/**
 * The server's default `MaxPostSize` (runes), in a module of its own so that webhook delivery,
 * which needs only this number, does not pull the REST client into the start-up bundle.
 */
export const DEFAULT_MAX_POST_SIZE = 16383;
