import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserMap } from '../src/config.js';
import type { EventPayload } from '../src/context.js';
import { type ResolveOptions, resolveGitHubLogins } from '../src/github-users.js';
import { parseUserMap } from '../src/user-map.js';
import { exampleOf, examplesOf } from './support/examples.js';
import { GitHubTestServer, type PullCommitFixture } from './support/github-server.js';
import { REFUSED_URL } from './support/refused.js';

const repoRoot = resolve(import.meta.dirname, '..');
/** `pull_request.opened` from @octokit/webhooks-examples: pull request #2 of Codertocat/Hello-World. */
const pullRequestOpened = exampleOf('pull_request', 'opened');
const pullRequestNumber = 2;
const repository = 'Codertocat/Hello-World';
const commitsPath = `/repos/Codertocat/Hello-World/pulls/${pullRequestNumber}/commits`;

/** The `push` example that has a commit, with `commits` replaced. */
function pushEvent(commits: { username?: string; email: string }[]): EventPayload {
  const example = examplesOf('push').find((e) => Array.isArray(e.commits) && e.commits.length > 0);
  if (!example) throw new Error('no push example with commits');
  const event = structuredClone(example) as EventPayload & { commits: Record<string, unknown>[] };
  const template = event.commits[0] ?? {};
  event.commits = commits.map((author, index) => ({
    ...template,
    id: `${index}`.padStart(40, '0'),
    author: { name: author.username ?? 'Someone', ...author },
  }));
  return event;
}

function userMap(yaml: string): Promise<UserMap> {
  return parseUserMap(yaml, tmpdir());
}

let github: GitHubTestServer;
let logged: string[];

beforeEach(async () => {
  github = await GitHubTestServer.start();
  logged = [];
});

afterEach(async () => {
  await github.stop();
});

function options(overrides: Partial<ResolveOptions> = {}): ResolveOptions {
  return {
    userMap: new Map(),
    event: pullRequestOpened,
    repository,
    githubToken: github.token,
    apiUrl: github.url,
    apiMode: true,
    log: (line) => logged.push(line),
    ...overrides,
  };
}

const paths = () => github.requests.map((r) => r.path);

describe('through user-map', () => {
  it('finds a mapped username and an mapped email without asking GitHub', async () => {
    const map = await userMap('octocat: jo\nMonaLisa: mona@example.com\n');
    const resolutions = await resolveGitHubLogins(
      ['OctoCat', 'monalisa'],
      options({ userMap: map }),
    );
    expect(resolutions).toEqual([
      {
        login: 'OctoCat',
        outcome: 'found',
        user: { kind: 'username', username: 'jo' },
        via: 'user-map',
      },
      {
        login: 'monalisa',
        outcome: 'found',
        user: { kind: 'email', email: 'mona@example.com' },
        via: 'user-map',
      },
    ]);
    expect(github.requests).toEqual([]);
  });

  it('makes no GitHub request at all when the map answers every login', async () => {
    const map = await userMap(
      '{"Codertocat": "coder", "octocat": "@jo", "hubot": "hubot@example.com"}',
    );
    github.addUser({ login: 'Codertocat', email: 'public@example.com' });
    const resolutions = await resolveGitHubLogins(
      ['codertocat', 'OCTOCAT', 'hubot'],
      options({ userMap: map }),
    );
    expect(resolutions.map((r) => r.outcome)).toEqual(['found', 'found', 'found']);
    expect(github.requests).toEqual([]);
  });

  it('asks GitHub only about the logins the map does not answer', async () => {
    github.addUser({ login: 'monalisa', email: 'mona@example.com' });
    const map = await userMap('octocat: jo\n');
    const resolutions = await resolveGitHubLogins(
      ['octocat', 'monalisa'],
      options({ userMap: map }),
    );
    expect(resolutions.map((r) => r.outcome === 'found' && r.via)).toEqual([
      'user-map',
      'github-profile',
    ]);
    expect(paths()).toEqual(['/users/monalisa']);
  });
});

describe('through the GitHub API', () => {
  it('uses the public profile email, sending the token', async () => {
    github.addUser({ login: 'octocat', email: 'octocat@example.com' });
    expect(await resolveGitHubLogins(['octocat'], options())).toEqual([
      {
        login: 'octocat',
        outcome: 'found',
        user: { kind: 'email', email: 'octocat@example.com' },
        via: 'github-profile',
      },
    ]);
    expect(github.requests).toHaveLength(1);
    expect(github.requests[0]?.method).toBe('GET');
    expect(github.requests[0]?.path).toBe('/users/octocat');
    expect(github.requests[0]?.headers.authorization).toBe(`token ${github.token}`);
  });

  it('honours a GitHub Enterprise Server API URL', async () => {
    github.addUser({ login: 'octocat', email: 'octocat@example.com' });
    const [resolution] = await resolveGitHubLogins(
      ['octocat'],
      options({ apiUrl: `${github.url}/api/v3/` }),
    );
    expect(resolution?.outcome).toBe('found');
    expect(paths()).toEqual(['/api/v3/users/octocat']);
  });

  it('takes the most frequent email of the pull request commits GitHub attributes to the login', async () => {
    github.addUser({ login: 'Jo' });
    github.setPullCommits('Codertocat', 'Hello-World', pullRequestNumber, [
      { login: 'jo', email: '1234+jo@users.noreply.github.com' },
      { login: 'jo', email: '1234+jo@users.noreply.github.com' },
      { login: 'jo', email: '1234+jo@users.noreply.github.com' },
      { login: 'jo', email: 'jo@home.example' },
      { login: 'JO', email: 'Jo@Work.example' },
      { login: 'jo', email: 'jo@work.example' },
      { login: 'jo', email: 'noreply@github.com' },
      { login: null, email: 'jo@laptop.example' },
      { login: null, email: 'jo@laptop.example' },
      { login: null, email: 'jo@laptop.example' },
      { login: 'octocat', email: 'octocat@example.com' },
      { login: 'octocat', email: 'octocat@example.com' },
      { login: 'octocat', email: 'octocat@example.com' },
    ]);
    expect(await resolveGitHubLogins(['Jo'], options())).toEqual([
      {
        login: 'Jo',
        outcome: 'found',
        user: { kind: 'email', email: 'jo@work.example' },
        via: 'commits',
      },
    ]);
    expect(paths()).toEqual(['/users/Jo', commitsPath]);
  });

  it('prefers the public profile email to commit emails', async () => {
    github.addUser({ login: 'jo', email: 'jo@profile.example' });
    github.setPullCommits('Codertocat', 'Hello-World', pullRequestNumber, [
      { login: 'jo', email: 'jo@work.example' },
    ]);
    const [resolution] = await resolveGitHubLogins(['jo'], options());
    expect(resolution).toMatchObject({
      user: { kind: 'email', email: 'jo@profile.example' },
      via: 'github-profile',
    });
    expect(paths()).toEqual(['/users/jo']);
  });

  it('follows pagination past 100 commits', async () => {
    github.addUser({ login: 'jo' });
    const commits: PullCommitFixture[] = Array.from({ length: 180 }, (_, i) => ({
      login: 'octocat',
      email: `octocat${i}@example.com`,
    }));
    commits[150] = { login: 'jo', email: 'jo@work.example' };
    github.setPullCommits('Codertocat', 'Hello-World', pullRequestNumber, commits);
    const [resolution] = await resolveGitHubLogins(['jo'], options());
    expect(resolution).toMatchObject({
      outcome: 'found',
      user: { email: 'jo@work.example' },
      via: 'commits',
    });
    const pages = github.requests.filter((r) => r.path === commitsPath);
    expect(pages.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(pages.map((r) => r.query.per_page)).toEqual(['100', '100']);
  });

  it('reads no more than 250 commits of a pull request', async () => {
    github.addUser({ login: 'jo' });
    const commits: PullCommitFixture[] = Array.from({ length: 420 }, (_, i) => ({
      login: 'octocat',
      email: `octocat${i}@example.com`,
    }));
    commits[260] = { login: 'jo', email: 'jo@work.example' };
    commits[330] = { login: 'jo', email: 'jo@work.example' };
    github.setPullCommits('Codertocat', 'Hello-World', pullRequestNumber, commits);
    const [resolution] = await resolveGitHubLogins(['jo'], options());
    expect(resolution?.outcome).toBe('unresolved');
    expect(github.requests.filter((r) => r.path === commitsPath)).toHaveLength(3);
  });

  it('lists the pull request commits once for several logins', async () => {
    for (const login of ['jo', 'mo', 'bo']) github.addUser({ login });
    github.setPullCommits('Codertocat', 'Hello-World', pullRequestNumber, [
      { login: 'jo', email: 'jo@example.com' },
      { login: 'mo', email: 'mo@example.com' },
      { login: 'bo', email: 'bo@example.com' },
    ]);
    const resolutions = await resolveGitHubLogins(['jo', 'mo', 'bo'], options());
    expect(resolutions.map((r) => r.outcome === 'found' && r.user)).toEqual([
      { kind: 'email', email: 'jo@example.com' },
      { kind: 'email', email: 'mo@example.com' },
      { kind: 'email', email: 'bo@example.com' },
    ]);
    expect(paths().filter((p) => p === commitsPath)).toHaveLength(1);
  });

  it('names the login and the fix when neither the profile nor the commits give an email', async () => {
    github.addUser({ login: 'octocat' });
    github.setPullCommits('Codertocat', 'Hello-World', pullRequestNumber, [
      { login: 'octocat', email: '583231+octocat@users.noreply.github.com' },
      { login: 'hubot', email: 'hubot@example.com' },
    ]);
    expect(await resolveGitHubLogins(['octocat'], options())).toEqual([
      {
        login: 'octocat',
        outcome: 'unresolved',
        reason:
          'GitHub user octocat has no public email and no commits on this pull request attribute an email to them: add "octocat: <mattermost-username>" to user-map.',
      },
    ]);
  });

  it('uses the commits of a push payload, without asking GitHub for them', async () => {
    github.addUser({ login: 'Codertocat' });
    const event = pushEvent([
      { username: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com' },
      { username: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com' },
      { username: 'codertocat', email: 'coder@example.com' },
      { username: 'CODERTOCAT', email: 'coder@example.com' },
      { username: 'Codertocat', email: 'old@example.com' },
      { email: 'coder@laptop.example' },
      { email: 'coder@laptop.example' },
      { username: 'octocat', email: 'octocat@example.com' },
    ]);
    expect(await resolveGitHubLogins(['Codertocat'], options({ event }))).toEqual([
      {
        login: 'Codertocat',
        outcome: 'found',
        user: { kind: 'email', email: 'coder@example.com' },
        via: 'commits',
      },
    ]);
    expect(paths()).toEqual(['/users/Codertocat']);
  });

  it('says so when no pushed commit gives an email', async () => {
    github.addUser({ login: 'Codertocat' });
    const event = pushEvent([
      { username: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com' },
    ]);
    const [resolution] = await resolveGitHubLogins(['Codertocat'], options({ event }));
    expect(resolution).toEqual({
      login: 'Codertocat',
      outcome: 'unresolved',
      reason:
        'GitHub user Codertocat has no public email and no commits in this push attribute an email to them: add "Codertocat: <mattermost-username>" to user-map.',
    });
  });

  it('says so when the event has no commits', async () => {
    github.addUser({ login: 'Codertocat' });
    const [resolution] = await resolveGitHubLogins(
      ['Codertocat'],
      options({ event: exampleOf('issues', 'opened') }),
    );
    expect(resolution).toEqual({
      login: 'Codertocat',
      outcome: 'unresolved',
      reason:
        'GitHub user Codertocat has no public email, and only pull request and push events have commits to find one in: add "Codertocat: <mattermost-username>" to user-map.',
    });
    expect(paths()).toEqual(['/users/Codertocat']);
  });
});

describe('bots', () => {
  it('skips logins ending in [bot] with a notice, asking nothing', async () => {
    const resolutions = await resolveGitHubLogins(
      ['dependabot[bot]', 'github-actions[bot]', 'Renovate[Bot]'],
      options(),
    );
    expect(resolutions).toEqual([
      { login: 'dependabot[bot]', outcome: 'bot' },
      { login: 'github-actions[bot]', outcome: 'bot' },
      { login: 'Renovate[Bot]', outcome: 'bot' },
    ]);
    expect(logged).toEqual([
      'github-user dependabot[bot] is a bot: no direct message is sent to it.',
      'github-user github-actions[bot] is a bot: no direct message is sent to it.',
      'github-user Renovate[Bot] is a bot: no direct message is sent to it.',
    ]);
    expect(github.requests).toEqual([]);
  });

  it('skips an account GitHub calls a bot', async () => {
    github.addUser({ login: 'deploy-robot', type: 'Bot', email: 'robot@example.com' });
    expect(await resolveGitHubLogins(['deploy-robot'], options())).toEqual([
      { login: 'deploy-robot', outcome: 'bot' },
    ]);
    expect(logged).toEqual(['github-user deploy-robot is a bot: no direct message is sent to it.']);
  });
});

describe('webhook mode', () => {
  it('finds only logins mapped to a username, and asks GitHub nothing', async () => {
    github.addUser({ login: 'hubot', email: 'hubot@example.com' });
    const map = await userMap('octocat: jo\nmonalisa: mona@example.com\n');
    const resolutions = await resolveGitHubLogins(
      ['octocat', 'monalisa', 'hubot'],
      options({ userMap: map, apiMode: false }),
    );
    expect(resolutions).toEqual([
      {
        login: 'octocat',
        outcome: 'found',
        user: { kind: 'username', username: 'jo' },
        via: 'user-map',
      },
      {
        login: 'monalisa',
        outcome: 'unresolved',
        reason:
          'github-user monalisa maps to mona@example.com in user-map, and finding a user by email needs API mode: set server-url and token, or map monalisa to a Mattermost username.',
      },
      {
        login: 'hubot',
        outcome: 'unresolved',
        reason:
          'github-user hubot is not in user-map, and webhook mode cannot look GitHub users up: add "hubot: <mattermost-username>" to user-map, or use API mode (server-url and token).',
      },
    ]);
    expect(github.requests).toEqual([]);
  });
});

describe('when GitHub cannot answer', () => {
  it('needs a GitHub token', async () => {
    github.addUser({ login: 'octocat', email: 'octocat@example.com' });
    expect(await resolveGitHubLogins(['octocat'], options({ githubToken: undefined }))).toEqual([
      {
        login: 'octocat',
        outcome: 'unresolved',
        reason:
          'github-user octocat is not in user-map and there is no github-token to look them up with: set github-token, or add "octocat: <mattermost-username>" to user-map.',
      },
    ]);
    expect(github.requests).toEqual([]);
  });

  it('names a bad token without printing it', async () => {
    github.addUser({ login: 'octocat', email: 'octocat@example.com' });
    const [resolution] = await resolveGitHubLogins(
      ['octocat'],
      options({ githubToken: 'ghp_wrongTokenValue123' }),
    );
    expect(github.requests[0]?.headers.authorization).toBe('token ghp_wrongTokenValue123');
    expect(resolution).toEqual({
      login: 'octocat',
      outcome: 'unresolved',
      reason:
        'GitHub refused github-token (401 Bad credentials) looking up github-user octocat: check the github-token input.',
    });
  });

  it('names an unknown login', async () => {
    const [resolution] = await resolveGitHubLogins(['ghost-nobody'], options());
    expect(resolution).toEqual({
      login: 'ghost-nobody',
      outcome: 'unresolved',
      reason: 'GitHub user ghost-nobody was not found (404): check the github-user entry.',
    });
  });

  it('names the rate limit', async () => {
    github.setRateLimited(true);
    const [resolution] = await resolveGitHubLogins(['octocat'], options());
    expect(resolution).toEqual({
      login: 'octocat',
      outcome: 'unresolved',
      reason:
        'GitHub API rate limit reached (403 API rate limit exceeded for installation ID 1.) looking up github-user octocat: retry later, or add "octocat: <mattermost-username>" to user-map.',
    });
  });

  it('names a pull request whose commits the token cannot list', async () => {
    github.addUser({ login: 'octocat' });
    const [resolution] = await resolveGitHubLogins(['octocat'], options());
    expect(resolution).toEqual({
      login: 'octocat',
      outcome: 'unresolved',
      reason:
        'GitHub refused to list the pull request\'s commits (404 Not Found) for github-user octocat: give github-token read access to the repository (permissions: pull-requests: read), or add "octocat: <mattermost-username>" to user-map.',
    });
  });

  it('names an API it cannot reach', async () => {
    const [resolution] = await resolveGitHubLogins(['octocat'], options({ apiUrl: REFUSED_URL }));
    expect(resolution?.outcome).toBe('unresolved');
    expect(resolution?.outcome === 'unresolved' && resolution.reason).toMatch(
      new RegExp(
        `^Could not reach the GitHub API at ${REFUSED_URL} to look up github-user octocat \\(.*ECONNREFUSED.*\\): check GITHUB_API_URL and the network\\.$`,
      ),
    );
  });

  it('gives up on a request that takes too long', async () => {
    github.stall('/users/slowpoke');
    const [resolution] = await resolveGitHubLogins(['slowpoke'], options({ timeoutMs: 100 }));
    expect(resolution?.outcome === 'unresolved' && resolution.reason).toMatch(
      /^Could not reach the GitHub API at .* to look up github-user slowpoke \(.*timeout.*\)/,
    );
  });
});

describe('ordering', () => {
  it('answers in the order of the logins, whatever answers first', async () => {
    github.addUser({ login: 'mona', email: 'mona@example.com' });
    github.addUser({ login: 'lisa', email: 'lisa@example.com' });
    const map = await userMap('octocat: jo\n');
    const logins = [
      'nobody-here',
      'octocat',
      'dependabot[bot]',
      'mona',
      'lisa',
      'mona-lisa',
      'octocat',
    ];
    const resolutions = await resolveGitHubLogins(logins, options({ userMap: map }));
    expect(resolutions.map((r) => r.login)).toEqual(logins);
    expect(resolutions.map((r) => r.outcome)).toEqual([
      'unresolved',
      'found',
      'bot',
      'found',
      'found',
      'unresolved',
      'found',
    ]);
    expect(resolutions[4]).toMatchObject({ user: { email: 'lisa@example.com' } });
  });
});

describe('loading @actions/github', () => {
  /**
   * Runs a script in a fresh Node with a module hook that reports each import of
   * `@actions/github`: returns what the script printed and whether the package was imported.
   */
  async function runWatchingImports(
    script: string,
  ): Promise<{ stdout: string; imported: boolean }> {
    const dir = mkdtempSync(join(tmpdir(), 'lazy-import-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier === '@actions/github') writeSync(2, 'IMPORTED @actions/github\\n');
  return next(specifier, context);
}
`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'hooks.mjs')}`)});\n`,
    );
    // Asynchronous: the child asks the test server, which answers from this process.
    const child = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        join(dir, 'register.mjs'),
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 15_000 },
    );
    return { stdout: child.stdout, imported: child.stderr.includes('IMPORTED @actions/github') };
  }

  const script = (userMapEntries: string) => `
const { resolveGitHubLogins } = await import('./src/github-users.ts');
const resolutions = await resolveGitHubLogins(['octocat'], {
  userMap: new Map(${userMapEntries}), event: {}, repository: 'a/b', githubToken: 't',
  apiUrl: ${JSON.stringify(github.url)}, apiMode: true, log: () => {},
});
console.log(resolutions[0].outcome);
`;

  it('does not import it when the map answers', async () => {
    const run = await runWatchingImports(
      script(`[['octocat', { kind: 'username', username: 'jo' }]]`),
    );
    expect(run.stdout.trim()).toBe('found');
    expect(run.imported).toBe(false);
  });

  it('imports it when a login needs the API', async () => {
    const run = await runWatchingImports(script(''));
    expect(run.stdout.trim()).toBe('unresolved');
    expect(run.imported).toBe(true);
  });
});
