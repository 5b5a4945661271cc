/** The `user-map` input: GitHub login → Mattermost username or email, inline or from a workspace file. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { MattermostUserRef, UserMap } from './config.js';
import { ActionError } from './errors.js';
import { assertInsideWorkspace, resolveInWorkspace } from './workspace.js';

const INPUT = 'user-map';
const MAP_FILE_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);

/** Parses the input; `''` is an empty map. Keys are lower-cased, since GitHub logins ignore case. */
export async function parseUserMap(input: string, workspace: string): Promise<UserMap> {
  const text = input.trim();
  if (text === '') return new Map();
  const file = mapFilePath(text, workspace);
  // Leading blank lines stay, so that error line numbers match the input as written.
  if (file === undefined) return userMapFromYaml(input.trimEnd(), INPUT);
  return userMapFromYaml(readFileSync(file, 'utf8'), `${INPUT} file ${text}`);
}

/** The Mattermost user a GitHub login maps to, whatever the case of either (`@` optional). */
export function lookupLogin(map: UserMap, login: string): MattermostUserRef | undefined {
  return map.get(normaliseLogin(login));
}

/**
 * The absolute path of the map file when the input names one, else `undefined` (inline map).
 * Inline YAML or JSON always holds a `:`, so a single line without one is a path when it looks
 * like a file name or names an existing file.
 */
function mapFilePath(text: string, workspace: string): string | undefined {
  if (text.includes('\n') || text.includes(':')) return undefined;
  const looksLikePath = MAP_FILE_EXTENSIONS.has(extname(text).toLowerCase()) || /[/\\]/.test(text);
  if (!looksLikePath && !existsSync(resolveInWorkspace(text, workspace, INPUT))) return undefined;
  const path = resolveInWorkspace(text, workspace, INPUT);
  if (!existsSync(path)) {
    throw new ActionError(`${INPUT}: file ${text} not found in the workspace.`, { input: INPUT });
  }
  if (!statSync(path).isFile()) {
    throw new ActionError(
      `${INPUT}: ${text} is not a file: give the path of a YAML or JSON file.`,
      {
        input: INPUT,
      },
    );
  }
  assertInsideWorkspace(path, workspace, INPUT);
  return path;
}

/** `source` names where the text came from in error lines: `user-map` or `user-map file x.yml`. */
async function userMapFromYaml(text: string, source: string): Promise<UserMap> {
  // The YAML parser is a chunk of its own, loaded only when there is a map to read.
  const { isMap, isScalar, isSeq, parseDocument } = await import('yaml');
  const doc = parseDocument(text, { uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    const line = error.linePos?.[0].line;
    const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ActionError(
      `${source} is not valid YAML${line ? ` at line ${line}` : ''}: ${reason}.`,
      {
        input: INPUT,
        cause: error,
      },
    );
  }
  if (doc.contents === null) return new Map();
  if (!isMap(doc.contents)) {
    const got = isScalar(doc.contents) ? 'a single value' : 'a list';
    throw new ActionError(
      `${source} must be a mapping of GitHub login to Mattermost username or email (e.g. "octocat: jo"), not ${got}.`,
      { input: INPUT },
    );
  }

  const map = new Map<string, MattermostUserRef>();
  const spelling = new Map<string, string>();
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') {
      throw new ActionError(
        `${source} has a key that is not a GitHub login: use "login: username" entries.`,
        {
          input: INPUT,
        },
      );
    }
    // `007: jo` is a number to YAML; the login is the text as written.
    const written =
      typeof pair.key.value === 'string'
        ? pair.key.value
        : (pair.key.source ?? String(pair.key.value));
    const login = normaliseLogin(written);
    if (login === '' || /\s/.test(login)) {
      throw new ActionError(`${source} has an invalid GitHub login "${written}".`, {
        input: INPUT,
      });
    }
    const earlier = spelling.get(login);
    if (earlier !== undefined) {
      throw new ActionError(
        `${source} lists GitHub login ${login} twice (${earlier} and ${written}): logins ignore case, keep one.`,
        { input: INPUT },
      );
    }
    spelling.set(login, written);
    const value = isScalar(pair.value) ? pair.value.value : pair.value;
    const kind = isSeq(value) ? 'list' : isMap(value) ? 'mapping' : typeof value;
    map.set(login, userRefOf(value, kind, written, source));
  }
  return map;
}

function userRefOf(value: unknown, kind: string, login: string, source: string): MattermostUserRef {
  if (typeof value !== 'string' || value.trim() === '') {
    const got = value === null || value === undefined || value === '' ? 'nothing' : `a ${kind}`;
    throw new ActionError(
      `${source}: the value for ${login} must be a Mattermost username or email, got ${got}: write "${login}: <mattermost-username>".`,
      { input: INPUT },
    );
  }
  const text = value.trim();
  if (/\s/.test(text)) {
    throw new ActionError(
      `${source}: the value for ${login} ("${text}") must be one Mattermost username or email, without spaces.`,
      { input: INPUT },
    );
  }
  // `@jo` is a username with its optional `@`; an `@` further on makes it an email.
  if (text.indexOf('@', 1) > 0) return { kind: 'email', email: text };
  const username = text.replace(/^@/, '');
  if (username === '') {
    throw new ActionError(`${source}: the value for ${login} is an empty username.`, {
      input: INPUT,
    });
  }
  return { kind: 'username', username: username.toLowerCase() };
}

function normaliseLogin(login: string): string {
  return login.trim().replace(/^@/, '').toLowerCase();
}
