/**
 * Finds a thread's root again in Mattermost itself: among the channel's root posts, newest first,
 * the bot's own post whose props carry the key, within the look-back, in a bounded number of pages.
 */
import type { MattermostApi, MattermostPost } from '../mattermost/api.js';
import { THREAD_KEY_PROP } from './key.js';

/** The server's largest page (`web/params.go` PerPageMaximum). */
export const ROOT_PAGE_SIZE = 200;
/** Pages read at most: the root must be among the channel's newest 1000 root posts. */
export const MAX_ROOT_PAGES = 5;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RootSearch {
  api: MattermostApi;
  channelId: string;
  botId: string;
  key: string;
  lookbackDays: number;
  now: number;
}

export interface RootSearchResult {
  root: MattermostPost | undefined;
  /** Requests made: at most MAX_ROOT_PAGES. */
  pages: number;
  /** True when the bound stopped the search before the look-back did. */
  gaveUp: boolean;
}

export async function findThreadRoot(search: RootSearch): Promise<RootSearchResult> {
  const since = search.now - search.lookbackDays * DAY_MS;
  for (let page = 0; page < MAX_ROOT_PAGES; page += 1) {
    const { posts, prevPostId } = await search.api.getChannelRootPosts(
      search.channelId,
      page,
      ROOT_PAGE_SIZE,
    );
    const root = posts.find((post) => isRootOf(post, search, since));
    if (root) return { root, pages: page + 1, gaveUp: false };
    const oldest = posts.at(-1)?.create_at ?? 0;
    // A short page is no end: the server drops posts from a page after the query (burn-on-read
    // posts, a history limit), so only an empty page or an empty prev_post_id says so.
    if (posts.length === 0 || prevPostId === '' || oldest < since) {
      return { root: undefined, pages: page + 1, gaveUp: false };
    }
  }
  return { root: undefined, pages: MAX_ROOT_PAGES, gaveUp: true };
}

function isRootOf(post: MattermostPost, search: RootSearch, since: number): boolean {
  return (
    post.user_id === search.botId &&
    !post.root_id &&
    !post.delete_at &&
    (post.create_at ?? 0) >= since &&
    post.props?.[THREAD_KEY_PROP] === search.key
  );
}
