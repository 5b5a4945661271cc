import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionError } from '../src/errors.js';
import { lookupLogin, parseUserMap } from '../src/user-map.js';

function workspaceWith(files: Record<string, string> = {}): string {
  const workspace = mkdtempSync(join(tmpdir(), 'user-map-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), text);
  }
  return workspace;
}

/** The ActionError `parseUserMap` throws, checked to be about the `user-map` input. */
async function userMapError(input: string, workspace = workspaceWith()): Promise<ActionError> {
  try {
    await parseUserMap(input, workspace);
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    const actionError = error as ActionError;
    expect(actionError.input).toBe('user-map');
    expect(actionError.message).not.toContain('\n');
    return actionError;
  }
  throw new Error(`user-map ${JSON.stringify(input)} was accepted`);
}

const expected = new Map([
  ['octocat', { kind: 'username', username: 'jo' }],
  ['hubot', { kind: 'username', username: 'robo' }],
  ['monalisa', { kind: 'email', email: 'mona@example.com' }],
]);

describe('parseUserMap, inline', () => {
  it('is an empty map for an empty input', async () => {
    expect((await parseUserMap('', workspaceWith())).size).toBe(0);
    expect((await parseUserMap('  \n ', workspaceWith())).size).toBe(0);
    expect((await parseUserMap('# nobody yet\n', workspaceWith())).size).toBe(0);
    expect((await parseUserMap('{}', workspaceWith())).size).toBe(0);
  });

  it('reads YAML: usernames with or without @, and emails', async () => {
    const map = await parseUserMap(
      'octocat: jo\nhubot: "@robo"\nmonalisa: mona@example.com\n',
      workspaceWith(),
    );
    expect(map).toEqual(expected);
  });

  it('reads JSON, on one line or pretty-printed with tabs', async () => {
    const value = { octocat: 'jo', hubot: '@robo', monalisa: 'mona@example.com' };
    expect(await parseUserMap(JSON.stringify(value), workspaceWith())).toEqual(expected);
    expect(await parseUserMap(JSON.stringify(value, null, '\t'), workspaceWith())).toEqual(
      expected,
    );
  });

  it('lower-cases logins and usernames, and keeps the login as written when YAML reads it as a number', async () => {
    const map = await parseUserMap('OctoCat: Jo\n007: bond\n', workspaceWith());
    expect([...map.keys()]).toEqual(['octocat', '007']);
    expect(map.get('octocat')).toEqual({ kind: 'username', username: 'jo' });
  });

  it('looks logins up whatever the case on either side, with an optional @', async () => {
    const map = await parseUserMap('OctoCat: jo\nhubot: robo\n', workspaceWith());
    expect(lookupLogin(map, 'octocat')).toEqual({ kind: 'username', username: 'jo' });
    expect(lookupLogin(map, 'OCTOCAT')).toEqual({ kind: 'username', username: 'jo' });
    expect(lookupLogin(map, 'HuBot')).toEqual({ kind: 'username', username: 'robo' });
    expect(lookupLogin(map, '@hubot')).toEqual({ kind: 'username', username: 'robo' });
    expect(lookupLogin(map, 'monalisa')).toBeUndefined();
  });

  it('refuses two keys that differ only in case', async () => {
    expect((await userMapError('octocat: jo\nOctocat: joe\n')).message).toBe(
      'user-map lists GitHub login octocat twice (octocat and Octocat): logins ignore case, keep one.',
    );
  });

  it('names the line of malformed YAML', async () => {
    expect((await userMapError('octocat: jo\nhubot: robo\nmonalisa: [mona\n')).message).toBe(
      'user-map is not valid YAML at line 3: Flow sequence in block collection must be sufficiently indented and end with a ].',
    );
    expect((await userMapError('octocat: jo\nhubot: robo\noctocat: joe\n')).message).toBe(
      'user-map is not valid YAML at line 3: Map keys must be unique.',
    );
    expect((await userMapError('\n\noctocat: jo\noctocat: joe')).message).toBe(
      'user-map is not valid YAML at line 4: Map keys must be unique.',
    );
    expect((await userMapError('{"octocat": "jo",\n "hubot": }}')).message).toMatch(
      /^user-map is not valid YAML at line 2: /,
    );
  });

  it('refuses a list or a single value', async () => {
    expect((await userMapError('- octocat\n- hubot\n')).message).toBe(
      'user-map must be a mapping of GitHub login to Mattermost username or email (e.g. "octocat: jo"), not a list.',
    );
    expect((await userMapError('jo')).message).toBe(
      'user-map must be a mapping of GitHub login to Mattermost username or email (e.g. "octocat: jo"), not a single value.',
    );
  });

  it('refuses a value that is not one username or email, naming the key', async () => {
    expect((await userMapError('octocat: jo\nhubot: 42\n')).message).toBe(
      'user-map: the value for hubot must be a Mattermost username or email, got a number: write "hubot: <mattermost-username>".',
    );
    expect((await userMapError('hubot:\n')).message).toBe(
      'user-map: the value for hubot must be a Mattermost username or email, got nothing: write "hubot: <mattermost-username>".',
    );
    expect((await userMapError('hubot: [robo, bo]\n')).message).toContain(
      'the value for hubot must be',
    );
    expect((await userMapError('hubot: [robo, bo]\n')).message).toContain('got a list');
    expect((await userMapError('{"hubot": {"name": "robo"}}')).message).toContain('got a mapping');
    expect((await userMapError('hubot: "@"\n')).message).toBe(
      'user-map: the value for hubot is an empty username.',
    );
    expect((await userMapError('hubot: robo bo\n')).message).toBe(
      'user-map: the value for hubot ("robo bo") must be one Mattermost username or email, without spaces.',
    );
  });
});

describe('parseUserMap, from a workspace file', () => {
  it('reads a YAML file', async () => {
    const workspace = workspaceWith({
      '.github/mattermost-users.yml':
        '# who is who\noctocat: jo\nhubot: "@robo"\nmonalisa: mona@example.com\n',
    });
    expect(await parseUserMap('.github/mattermost-users.yml', workspace)).toEqual(expected);
    expect(await parseUserMap('  ./.github/mattermost-users.yml\n', workspace)).toEqual(expected);
  });

  it('reads a JSON file', async () => {
    const text = JSON.stringify(
      { octocat: 'jo', hubot: '@robo', monalisa: 'mona@example.com' },
      null,
      2,
    );
    const workspace = workspaceWith({ 'config/users.json': text });
    expect(await parseUserMap('config/users.json', workspace)).toEqual(expected);
  });

  it('reads an existing file whose name has no extension', async () => {
    const workspace = workspaceWith({ MATTERMOST_USERS: 'octocat: jo\n' });
    expect(await parseUserMap('MATTERMOST_USERS', workspace)).toEqual(
      new Map([['octocat', expected.get('octocat')]]),
    );
  });

  it('says when the file is missing', async () => {
    expect((await userMapError('.github/x.yml')).message).toBe(
      'user-map: file .github/x.yml not found in the workspace.',
    );
    expect((await userMapError('config/users')).message).toBe(
      'user-map: file config/users not found in the workspace.',
    );
  });

  it('refuses a directory', async () => {
    const workspace = workspaceWith({ '.github/users.yml/keep': '' });
    expect((await userMapError('.github/users.yml', workspace)).message).toBe(
      'user-map: .github/users.yml is not a file: give the path of a YAML or JSON file.',
    );
  });

  it('refuses a path that leaves the workspace', async () => {
    const outside = workspaceWith({ 'users.yml': 'octocat: jo\n' });
    const workspace = join(outside, 'repo');
    mkdirSync(workspace);
    expect((await userMapError('../users.yml', workspace)).message).toBe(
      'user-map ../users.yml is outside the workspace: give a path inside the repository.',
    );
    expect((await userMapError(join(outside, 'users.yml'), workspace)).message).toContain(
      'is outside the workspace',
    );
  });

  it('refuses a symlink in the workspace that leads outside it', async () => {
    const outside = workspaceWith({ 'secrets.yml': 'token: hunter2\n' });
    const workspace = workspaceWith();
    symlinkSync(join(outside, 'secrets.yml'), join(workspace, 'users.yml'));
    expect((await userMapError('users.yml', workspace)).message).toBe(
      'user-map users.yml leads outside the workspace (through a link or ..): give a file inside the repository.',
    );
  });

  it('names the file and the line when the file is malformed', async () => {
    const workspace = workspaceWith({
      '.github/mattermost-users.yml': 'octocat: jo\nhubot: robo\noctocat: jo\n',
    });
    expect((await userMapError('.github/mattermost-users.yml', workspace)).message).toBe(
      'user-map file .github/mattermost-users.yml is not valid YAML at line 3: Map keys must be unique.',
    );
  });

  it('names the file when its value is wrong', async () => {
    const workspace = workspaceWith({ 'users.json': '{"octocat": null}' });
    expect((await userMapError('users.json', workspace)).message).toBe(
      'user-map file users.json: the value for octocat must be a Mattermost username or email, got nothing: write "octocat: <mattermost-username>".',
    );
  });
});
