import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let server: MattermostTestServer;
let hookUrl: string;
let hookId: string;
let townSquareId: string;
let releasesId: string;
let creatorId: string;
let joId: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const creator = server.addUser({ username: 'hook-owner', teams: ['dev'] });
  creatorId = creator.id;
  joId = server.addUser({ username: 'jo', email: 'jo@example.com', teams: ['dev'] }).id;
  townSquareId = server.addChannel({ team: 'dev', name: 'town-square', members: [creator.id] }).id;
  releasesId = server.addChannel({ team: 'dev', name: 'releases', members: [creator.id] }).id;
  const hook = server.addIncomingWebhook({ channel: townSquareId, creator: creator.id });
  hookUrl = hook.url;
  hookId = hook.id;
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  server.clearLog();
  server.config.enableIncomingWebhooks = true;
  server.config.webhookErrors = 'wrapped';
});

const postsSince = (count: number) => server.posts().slice(-count);

describe('webhook mode', () => {
  it('posts the rendered template to the hook and reports it', async () => {
    const before = server.posts().length;
    const run = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        message: 'Build of {{ github.repository }} by {{ github.actor }}',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(server.posts()).toHaveLength(before + 1);
    const [post] = postsSince(1);
    expect(post?.message).toBe('Build of octo-org/hello-world by octocat');
    expect(post?.channel_id).toBe(townSquareId);
    expect(post?.props.from_webhook).toBe('true');
    expect(run.outputs.message).toBe('Build of octo-org/hello-world by octocat');
    expect(run.posts).toEqual([
      {
        destination: '(webhook channel)',
        channel_id: '',
        post_id: '',
        root_id: '',
        status: 'sent',
        error: '',
      },
    ]);
    expect(run.outputs['post-id']).toBe('');
    expect(run.summary).toContain('Build of octo-org/hello-world by octocat');
    expect(run.summary).toContain('| (webhook channel) | ✅ sent |');
  });

  it('masks the webhook URL and its hook id before printing anything, and never prints them', async () => {
    const run = await runAction({ inputs: { 'webhook-url': hookUrl, message: 'hi' } });
    expect(run.masked).toContain(hookUrl);
    expect(run.masked).toContain(hookId);
    const firstMask = run.log.indexOf('::add-mask::');
    expect(run.log.indexOf(hookId)).toBe(
      firstMask + '::add-mask::'.length + hookUrl.indexOf(hookId),
    );
    const unmasked = run.log.replace(/^::add-mask::.*$/gm, '');
    expect(unmasked).not.toContain(hookId);
    expect(run.summary).not.toContain(hookId);
    expect(JSON.stringify(run.outputs)).not.toContain(hookId);
  });

  it('posts once per channel override and DMs users from the hook creator', async () => {
    const run = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        channel: 'releases, ~town-square\n@jo',
        user: 'jo',
        message: 'hello',
      },
    });
    expect(run.exitCode).toBe(0);
    const requests = server.requestsTo('POST', /^\/hooks\//);
    expect(requests.map((r) => (r.json as { channel?: string }).channel)).toEqual([
      'releases',
      'town-square',
      '@jo',
    ]);
    const dm = server.directChannel(creatorId, joId);
    expect(dm).toBeDefined();
    expect(server.posts({ channel_id: dm?.id ?? '' }).at(-1)?.message).toBe('hello');
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('hello');
    expect(run.posts.map((p) => [p.destination, p.status])).toEqual([
      ['releases', 'sent'],
      ['~town-square', 'sent'],
      ['@jo', 'sent'],
    ]);
  });

  it('lowercases channel names, which the webhook looks up exactly as given', async () => {
    const run = await runAction({
      inputs: { 'webhook-url': hookUrl, channel: 'Releases', message: 'mixed case' },
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const requests = server.requestsTo('POST', /^\/hooks\//);
    expect(requests.map((r) => (r.json as { channel?: string }).channel)).toEqual(['releases']);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('mixed case');
    expect(run.posts.map((p) => [p.destination, p.status])).toEqual([['Releases', 'sent']]);
  });

  it('renders the built-in message for the event with a status attachment', async () => {
    const run = await runAction({
      eventName: 'pull_request',
      event: exampleOf('pull_request', 'opened'),
      inputs: { 'webhook-url': hookUrl, status: 'failure' },
    });
    expect(run.exitCode).toBe(0);
    const [post] = postsSince(1);
    expect(post?.message).toContain('/pull/');
    expect(post?.props.attachments).toEqual([
      expect.objectContaining({ color: 'danger', fallback: expect.any(String) }),
    ]);
  });

  it('reads the template from message-file', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mm-ws-'));
    writeFileSync(join(workspace, 'note.md'), 'From a file: {{ github.ref_name }}');
    const run = await runAction({
      workspace,
      inputs: { 'webhook-url': hookUrl, 'message-file': 'note.md' },
    });
    expect(run.exitCode).toBe(0);
    expect(postsSince(1)[0]?.message).toBe('From a file: main');
  });

  it('refuses a message-file that links outside the workspace', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mm-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET');
    const workspace = mkdtempSync(join(tmpdir(), 'mm-ws-'));
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'note.md'));
    const run = await runAction({
      workspace,
      inputs: { 'webhook-url': hookUrl, 'message-file': 'note.md' },
    });
    expect(run.errors).toEqual([
      'message-file note.md leads outside the workspace (through a link or ..): give a file inside the repository.',
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('sends payload fields and keeps them valid JSON whatever the event text holds', async () => {
    const event = exampleOf('push');
    const hostile = 'quote " backslash \\ newline\nand {{ 7*7 }} @channel';
    const run = await runAction({
      event: { ...event, head_commit: { ...(event.head_commit as object), message: hostile } },
      inputs: {
        'webhook-url': hookUrl,
        message: 'push',
        payload: [
          'props:',
          '  card: "{{ event.head_commit.message }}"',
          'attachments:',
          '  - text: "{{ event.head_commit.message }}"',
          '    color: "#00aa00"',
          'priority:',
          '  priority: important',
        ].join('\n'),
      },
    });
    expect(run.exitCode).toBe(0);
    const request = server.requestsTo('POST', /^\/hooks\//).at(-1);
    const body = JSON.parse(request?.text ?? '{}');
    expect(body.attachments[0].text).toContain('backslash');
    expect(body.attachments[0].text).toMatch(/7\\?\*7/);
    expect(body.attachments[0].text).not.toContain('49');
    expect(body.attachments[0].text).not.toMatch(/@channel/);
    expect(body.props.card).toContain('quote "');
    expect(body.priority).toEqual({ priority: 'important' });
    const [post] = postsSince(1);
    expect(post?.metadata.priority).toEqual({ priority: 'important' });
  });

  it('passes display overrides, which the server applies only when it allows them', async () => {
    const run = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        message: 'x',
        username: 'Deploy Bot',
        'icon-url': 'https://example.com/i.png',
        'icon-emoji': ':rocket:',
      },
    });
    expect(run.exitCode).toBe(0);
    const body = server.requestsTo('POST', /^\/hooks\//).at(-1)?.json as Record<string, string>;
    expect(body.username).toBe('Deploy Bot');
    expect(body.icon_url).toBe('https://example.com/i.png');
    expect(body.icon_emoji).toBe('rocket');
  });

  it('splits a long message into several posts instead of letting the server hard-cut it', async () => {
    const paragraph = `${'word '.repeat(199)}end`;
    const message = Array.from({ length: 20 }, (_, i) => `${i} ${paragraph}`).join('\n\n');
    const before = server.posts().length;
    const run = await runAction({
      inputs: { 'webhook-url': hookUrl, message: '{{ env.LONG | raw }}' },
      env: { LONG: message },
    });
    expect(run.exitCode).toBe(0);
    const posts = server.posts().slice(before);
    expect(posts.length).toBe(2);
    expect(posts.every((p) => [...p.message].length <= 16383)).toBe(true);
    expect(posts.map((p) => p.message).join('\n\n')).toBe(message);
  });

  it('renders and reports in dry-run without any request', async () => {
    const run = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        message: 'dry {{ github.run_number }}',
        'dry-run': 'true',
        channel: 'releases',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(run.outputs.message).toBe('dry 42');
    expect(run.posts).toEqual([
      {
        destination: 'releases',
        channel_id: '',
        post_id: '',
        root_id: '',
        status: 'dry-run',
        error: '',
      },
    ]);
    expect(run.summary).toContain('dry run');
  });

  it('fails with one line per failed destination and still delivers to the others', async () => {
    const run = await runAction({
      inputs: {
        'webhook-url': hookUrl,
        channel: 'releases, no-such-channel, @nobody',
        message: 'partial',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(server.posts({ channel_id: releasesId }).at(-1)?.message).toBe('partial');
    expect(run.posts.map((p) => p.status)).toEqual(['sent', 'failed', 'failed']);
    const [error] = run.errors;
    expect(error).toMatch(/^Could not deliver to 2 of 3 destinations:/);
    expect(error).toMatch(
      /- no-such-channel: .*no-such-channel.*\(404 web\.incoming_webhook\.general\.app_error/,
    );
    expect(error).toMatch(/- @nobody: .*nobody.*\(400 web\.incoming_webhook\.general\.app_error/);
  });
});

describe('webhook server answers (an older server: specific ids)', () => {
  beforeEach(() => {
    server.config.webhookErrors = 'specific';
  });

  it('explains a deleted or mistyped hook without printing the URL', async () => {
    const run = await runAction({
      inputs: { 'webhook-url': `${server.url}/hooks/abcdefghijklmnopqrstuvwxyz`, message: 'x' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(
      /does not know this webhook.*400 web\.incoming_webhook\.invalid\.app_error/,
    );
    expect(run.errors[0]).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('explains that incoming webhooks are disabled', async () => {
    server.config.enableIncomingWebhooks = false;
    const run = await runAction({ inputs: { 'webhook-url': hookUrl, message: 'x' } });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(
      /[Ii]ncoming webhooks are disabled.*501 web\.incoming_webhook\.disabled\.app_error/,
    );
  });

  it('explains a hook locked to its channel', async () => {
    const locked = server.addIncomingWebhook({
      channel: townSquareId,
      creator: creatorId,
      channelLocked: true,
    });
    const run = await runAction({
      inputs: { 'webhook-url': locked.url, channel: 'releases', message: 'x' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/locked.*403 web\.incoming_webhook\.channel_locked\.app_error/);
  });

  it('explains a private channel the hook creator cannot post in', async () => {
    server.addChannel({ team: 'dev', name: 'secret', type: 'P', members: [joId] });
    const run = await runAction({
      inputs: { 'webhook-url': hookUrl, channel: 'secret', message: 'x' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/403 web\.incoming_webhook\.permissions\.app_error/);
  });

  it('explains an empty message', async () => {
    const run = await runAction({
      inputs: { 'webhook-url': hookUrl, message: '{{ event.nothing }}' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toBe(
      'The message is empty after rendering: check the message template (a variable that is not in the event renders as nothing).',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('input errors', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'no connection',
      { message: 'x' },
      /^No Mattermost connection: set webhook-url, or server-url and token/,
    ],
    [
      'both modes',
      {
        'webhook-url': 'https://chat.example.com/hooks/abc',
        'server-url': 'https://chat.example.com',
        token: 't',
      },
      /^Set either webhook-url .* not both\.$/,
    ],
    [
      'server-url without token',
      { 'server-url': 'https://chat.example.com' },
      /^server-url is set but token is empty/,
    ],
    ['token without server-url', { token: 'sekrit' }, /^token is set but server-url is empty/],
    [
      'not a URL',
      { 'webhook-url': 'chat.example.com/hooks/x' },
      /^webhook-url is not an http\(s\) URL/,
    ],
    [
      'not a hook URL',
      { 'webhook-url': 'https://chat.example.com/api/v4/posts' },
      /^webhook-url is not an incoming webhook URL/,
    ],
    [
      'user-email in webhook mode',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', 'user-email': 'jo@example.com' },
      /^user-email needs API mode: set server-url and token \(a webhook can only DM by @username\)\.$/,
    ],
    [
      'channel id in webhook mode',
      {
        'webhook-url': 'https://chat.example.com/hooks/abc',
        channel: 'abcdefghijklmnopqrstuvwxyz',
      },
      /looks like a channel id, which needs API mode/,
    ],
    [
      'team/channel in webhook mode',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', channel: 'dev/releases' },
      /names a team, which needs API mode/,
    ],
    [
      'message and message-file',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', message: 'x', 'message-file': 'y.md' },
      /^Set message or message-file, not both\.$/,
    ],
    [
      'missing message-file',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', 'message-file': 'nope.md' },
      /^message-file nope\.md was not found in the workspace/,
    ],
    [
      'message-file outside the workspace',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', 'message-file': '../../etc/passwd' },
      /is outside the workspace/,
    ],
    [
      'payload not YAML',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', payload: 'props: [1, 2' },
      /^payload is not valid JSON or YAML at line 1/,
    ],
    [
      'payload not an object',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', payload: '[1, 2]' },
      /^payload must be an object/,
    ],
    [
      'payload unknown field',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', payload: 'text: hi' },
      /^payload field text is not supported \(the text goes in the message input\)/,
    ],
    [
      'payload priority',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', payload: 'priority: urgent' },
      /^payload priority must be an object/,
    ],
    [
      'bad status',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', status: 'green' },
      /^status green is not a job status/,
    ],
    [
      'bad dry-run',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', 'dry-run': 'maybe' },
      /^dry-run must be true or false, not maybe\.$/,
    ],
    [
      'bad retries',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', retries: '-1' },
      /^retries must be a whole number from 0 to 10, not -1\.$/,
    ],
    [
      'bad timeout',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', timeout: 'soon' },
      /^timeout must be a whole number from 1 to 600, not soon\.$/,
    ],
    [
      'files in webhook mode',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', files: 'a.txt' },
      /^files needs API mode/,
    ],
    [
      'root-id in webhook mode',
      {
        'webhook-url': 'https://chat.example.com/hooks/abc',
        'root-id': 'abcdefghijklmnopqrstuvwxyz',
      },
      /^root-id needs API mode/,
    ],
    [
      'bad username',
      { 'webhook-url': 'https://chat.example.com/hooks/abc', user: 'jo smith' },
      /^user entry jo smith is not a Mattermost username/,
    ],
  ];
  it.each(cases)('%s', async (_name, inputs, expected) => {
    const run = await runAction({ inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(expected);
    expect(run.errors[0]).not.toContain('\n');
  });

  it('warns when a webhook URL is plain http to another host', async () => {
    const run = await runAction({
      inputs: { 'webhook-url': 'http://chat.example.com/hooks/abc', 'dry-run': 'true' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.warnings).toEqual([
      'webhook-url uses plain http:// to chat.example.com: the secret travels unencrypted; use https://.',
    ]);
  });

  it('does not warn for plain http to loopback', async () => {
    const run = await runAction({ inputs: { 'webhook-url': hookUrl, 'dry-run': 'true' } });
    expect(run.warnings).toEqual([]);
  });
});
