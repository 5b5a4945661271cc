// The bundled action, under Node 20 and Node 24, through every way it can end: the token, the
// webhook URL, its hook id and the github-token show up only on the `::add-mask::` lines that
// come first, and nowhere else: not in stdout/stderr, the outputs or the step summary.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type ActionRun, node24, runDist, systemNode } from './support/action.js';
import { MattermostTestServer, newId } from './support/mattermost-server.js';
import { REFUSED_PORT } from './support/refused.js';
import { startTlsFront, type TlsFront } from './support/tls.js';

interface World {
  server: MattermostTestServer;
  token: string;
  channelId: string;
  hookId: string;
  hookUrl: string;
}

const githubToken = `ghs_${randomBytes(18).toString('hex')}`;
const worlds: World[] = [];
let front: TlsFront | undefined;

/** A server of its own for each run, so faults of runs in parallel cannot meet. */
async function world(): Promise<World> {
  const server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  const owner = server.addUser({ username: 'hook-owner', teams: ['dev'] });
  const channelId = server.addChannel({
    team: 'dev',
    name: 'builds',
    members: [bot.user.id, owner.id],
  }).id;
  const hook = server.addIncomingWebhook({ channel: channelId, creator: owner.id });
  const created = { server, token: bot.token, channelId, hookId: hook.id, hookUrl: hook.url };
  worlds.push(created);
  return created;
}

afterAll(async () => {
  await front?.stop();
  await Promise.all(worlds.map((w) => w.server.stop()));
});

/** What the run printed, output and summarised, apart from the mask lines at its start. */
function leaks(run: ActionRun, secrets: string[]): string[] {
  const variants = secrets.flatMap((s) => [s, s.replace(/:/g, '%3A'), encodeURIComponent(s)]);
  const holds = (text: string) => variants.some((v) => text.includes(v));
  const lines = run.log.split('\n');
  const firstOther = lines.findIndex((line) => !line.startsWith('::add-mask::'));
  const printed = lines.filter(
    (line, index) => holds(line) && !(line.startsWith('::add-mask::') && index < firstOther),
  );
  const outputs = Object.entries(run.outputs)
    .filter(([, value]) => holds(value))
    .map(([name]) => `output ${name}`);
  return [...printed, ...outputs, ...(holds(run.summary) ? ['the step summary'] : [])];
}

/** Every mask line comes before the first line that is not one. */
function masksComeFirst(run: ActionRun): boolean {
  const lines = run.log.split('\n');
  const firstOther = lines.findIndex((line) => !line.startsWith('::add-mask::'));
  const lastMask = lines.findLastIndex((line) => line.startsWith('::add-mask::'));
  return firstOther === -1 || lastMask < firstOther;
}

type Mode = 'api' | 'webhook';

interface Scenario {
  name: string;
  mode: Mode;
  /** Exit code the run must end with. */
  exitCode: 0 | 1;
  /** The `::error::` line must match this (when the run fails). */
  error?: RegExp;
  prepare?: (w: World) => Promise<Record<string, string>> | Record<string, string>;
  env?: (w: World) => Record<string, string>;
}

const echoBody = (w: World, status: number) => ({
  id: 'api.context.session_expired.app_error',
  message: `Invalid token ${w.token} for ${w.hookUrl} (hook ${w.hookId})`,
  detailed_error: `Authorization: Bearer ${w.token}; github ${githubToken}; url ${w.hookUrl}`,
  request_id: newId(),
  status_code: status,
});

const scenarios: Scenario[] = [
  { name: 'success', mode: 'api', exitCode: 0 },
  { name: 'success', mode: 'webhook', exitCode: 0 },
  {
    name: 'a rejected token (401)',
    mode: 'api',
    exitCode: 1,
    error: /rejected the token \(401 api\.context\.session_expired\.app_error/,
    prepare: () => ({ token: newId() }),
  },
  {
    name: 'a server that echoes the secrets in its 401 body',
    mode: 'api',
    exitCode: 1,
    error: /rejected the token \(401 /,
    prepare: (w) => {
      w.server.inject({
        method: 'GET',
        path: '/api/v4/users/me',
        status: 401,
        body: echoBody(w, 401),
      });
      return {};
    },
  },
  {
    name: 'a server that echoes the secrets in a 500 body on the post',
    mode: 'api',
    exitCode: 1,
    error: /\(500 api\.context\.session_expired\.app_error, request /,
    prepare: (w) => {
      w.server.inject({
        method: 'POST',
        path: '/api/v4/posts',
        status: 500,
        body: echoBody(w, 500),
      });
      return {};
    },
  },
  {
    name: 'a server that echoes the secrets in its 400 body',
    mode: 'webhook',
    exitCode: 1,
    error: /\(400 api\.context\.session_expired\.app_error, request /,
    prepare: (w) => {
      w.server.inject({
        method: 'POST',
        path: `/hooks/${w.hookId}`,
        status: 400,
        body: echoBody(w, 400),
      });
      return {};
    },
  },
  {
    name: 'a redirect to the same secret URL',
    mode: 'webhook',
    exitCode: 1,
    error: /answered with a redirect to http:\/\/127\.0\.0\.1:\d+ \(302 Found, request \w+\)/,
    prepare: (w) => {
      w.server.inject({
        method: 'POST',
        path: `/hooks/${w.hookId}`,
        status: 302,
        headers: { Location: `${w.hookUrl}?token=${w.token}` },
      });
      return {};
    },
  },
  {
    name: 'a closed port',
    mode: 'api',
    exitCode: 1,
    error: /refused the connection \(ECONNREFUSED\) \(2 attempts\)/,
    prepare: () => ({ 'server-url': `http://127.0.0.1:${REFUSED_PORT}`, retries: '1' }),
  },
  {
    name: 'a closed port',
    mode: 'webhook',
    exitCode: 1,
    error: /refused the connection \(ECONNREFUSED\) \(2 attempts\)/,
    prepare: (w) => ({
      'webhook-url': `http://127.0.0.1:${REFUSED_PORT}/hooks/${w.hookId}`,
      retries: '1',
    }),
  },
  {
    name: 'a timeout',
    mode: 'api',
    exitCode: 1,
    error: /within 1 s \(timeout\)/,
    prepare: (w) => {
      w.server.inject({ method: 'GET', path: '/api/v4/users/me', delayMs: 3000 });
      return { timeout: '1', retries: '0' };
    },
  },
  {
    name: 'a timeout',
    mode: 'webhook',
    exitCode: 1,
    error: /within 1 s \(timeout\); the message may or may not have been posted/,
    prepare: (w) => {
      w.server.inject({ method: 'POST', path: `/hooks/${w.hookId}`, delayMs: 3000 });
      return { timeout: '1' };
    },
  },
  {
    name: 'an untrusted certificate',
    mode: 'api',
    exitCode: 1,
    error: /is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); .*NODE_EXTRA_CA_CERTS/,
    prepare: async (w) => ({ 'server-url': (await tlsFront(w)).url }),
  },
  {
    name: 'an untrusted certificate',
    mode: 'webhook',
    exitCode: 1,
    error: /is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); .*NODE_EXTRA_CA_CERTS/,
    prepare: async (w) => ({ 'webhook-url': `${(await tlsFront(w)).url}/hooks/${w.hookId}` }),
  },
  {
    name: 'an unknown hook id (400 invalid webhook)',
    mode: 'webhook',
    exitCode: 1,
    // Current servers wrap the id (server-facts 1): the 400 names the deleted hook among its causes.
    error:
      /webhook was deleted or webhook-url is mistyped.*\(400 web\.incoming_webhook\.general\.app_error|\(400 web\.incoming_webhook\.general\.app_error.*webhook was deleted or webhook-url is mistyped/,
    prepare: (w) => {
      w.server.deleteIncomingWebhook(w.hookId);
      return {};
    },
  },
  {
    name: 'a dry run whose template asks for the secrets from env',
    mode: 'api',
    exitCode: 0,
    prepare: () => ({
      'dry-run': 'true',
      message:
        'token={{ env.MATTERMOST_TOKEN }} gh={{ env.GITHUB_TOKEN }} raw={{ env.MATTERMOST_TOKEN | raw }}',
      'server-url': '',
      token: '',
    }),
    env: (w) => ({
      MATTERMOST_URL: w.server.url,
      MATTERMOST_TOKEN: w.token,
      GITHUB_TOKEN: githubToken,
    }),
  },
  {
    name: 'a dry run',
    mode: 'webhook',
    exitCode: 0,
    prepare: () => ({ 'dry-run': 'true', message: 'url={{ env.HOOK }}' }),
    env: (w) => ({ HOOK: w.hookUrl }),
  },
];

/** One TLS front for the whole file, in front of the first server that needs it. */
async function tlsFront(w: World): Promise<TlsFront> {
  front ??= await startTlsFront(Number(new URL(w.server.url).port));
  return front;
}

const runtimes = [
  { runtime: 'Node 20', node: systemNode },
  { runtime: 'Node 24', node: node24 },
];

describe.each(runtimes)('secrets stay secret in the bundle ($runtime)', ({ node }) => {
  it.concurrent.each(scenarios)('$mode mode: $name', async (scenario) => {
    const w = await world();
    const inputs: Record<string, string> =
      scenario.mode === 'api'
        ? { 'server-url': w.server.url, token: w.token, channel: w.channelId }
        : { 'webhook-url': w.hookUrl };
    Object.assign(inputs, {
      message: 'deployed',
      'github-token': githubToken,
      retries: '0',
      timeout: '5',
    });
    Object.assign(inputs, await scenario.prepare?.(w));
    const run = await runDist({ node, inputs, env: scenario.env?.(w) ?? {} });

    expect(run.log).not.toMatch(/Unexpected error/);
    expect(run.exitCode).toBe(scenario.exitCode);
    if (scenario.error) expect(run.errors).toEqual([expect.stringMatching(scenario.error)]);
    else expect(run.errors).toEqual([]);
    const given = [
      inputs.token,
      inputs['webhook-url'],
      githubToken,
      scenario.env?.(w).MATTERMOST_TOKEN,
    ].filter((s): s is string => Boolean(s));
    for (const secret of given) expect(run.masked).toContain(secret);
    if (scenario.mode === 'webhook') expect(run.masked).toContain(w.hookId);
    expect(masksComeFirst(run)).toBe(true);
    const secrets = [w.token, w.hookUrl, w.hookId, githubToken, ...given];
    expect(leaks(run, secrets)).toEqual([]);
  });
});
