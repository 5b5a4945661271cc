import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryResult } from '../src/deliver/result.js';
import { quotedForGitHub } from '../src/github-markdown.js';
import { summaryMarkdown } from '../src/report.js';
import { runAction } from './support/action.js';
import { exampleOf } from './support/examples.js';
import { MattermostTestServer } from './support/mattermost-server.js';

let server: MattermostTestServer;
let token: string;

beforeAll(async () => {
  server = await MattermostTestServer.start();
  server.addTeam({ name: 'dev' });
  const bot = server.addBot({ username: 'notify-bot', teams: ['dev'] });
  token = bot.token;
  server.addChannel({ team: 'dev', name: 'releases', members: [bot.user.id] });
  server.addChannel({ team: 'dev', name: 'ops', members: [bot.user.id] });
});

afterAll(async () => {
  await server.stop();
});

describe('step summary', () => {
  it('shows the built-in message as GitHub draws it, its source, and a permalink per post', async () => {
    const run = await runAction({
      eventName: 'pull_request',
      event: exampleOf('pull_request', 'opened'),
      inputs: {
        'server-url': server.url,
        token,
        team: 'dev',
        channel: 'releases, ops',
        status: 'success',
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    const [releases, ops] = run.posts;
    expect(run.summary).toContain('### Mattermost message\n');
    // The emoji are characters, each line of the post a line of the quote.
    expect(run.summary).toContain('> ✅ **Succeeded**: [CI #');
    expect(run.summary).toContain('> 🔀 Codertocat opened pull request [#2 Update the README');
    expect(run.summary).not.toMatch(/^> .*:white_check_mark:/m);
    // The source is there as it was sent.
    expect(run.summary).toContain(
      '<details><summary>Markdown source</summary>\n\n```markdown\n:white_check_mark: **Succeeded**',
    );
    expect(run.summary).toContain(
      `| releases | ✅ sent | [${releases?.post_id}](${server.url}/_redirect/pl/${releases?.post_id}) |  |`,
    );
    expect(run.summary).toContain(
      `| ops | ✅ sent | [${ops?.post_id}](${server.url}/_redirect/pl/${ops?.post_id}) |  |`,
    );
    expect(run.summary).not.toContain('nothing was sent');
  });

  it('says plainly in a dry run that nothing was sent', async () => {
    server.clearLog();
    const run = await runAction({
      inputs: {
        'server-url': server.url,
        token,
        'dry-run': 'true',
        channel: 'dev/releases',
        message: ':rocket: deployed',
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(run.summary).toContain('### Mattermost message (dry run: not sent)');
    expect(run.summary).toContain('**Dry run: nothing was sent.**');
    expect(run.summary).toContain('> 🚀 deployed');
    expect(run.summary).toContain('| dev/releases | 📝 dry run |  |  |');
  });
});

const sentRow: DeliveryResult = {
  destination: 'dev/town-square',
  status: 'sent',
  channelId: 'c1',
  postId: 'p1',
  rootId: 'p1',
  error: '',
};

describe('the message as GitHub shows it', () => {
  it('keeps each line break, and closes an unclosed code fence inside the quote', () => {
    expect(quotedForGitHub('first\nsecond\n\n```\nopen fence')).toBe(
      '> first  \n> second\n>\n> ```\n> open fence',
    );
  });

  it('adds no second line break where the message has one already', () => {
    expect(quotedForGitHub('one\\\ntwo  \nthree')).toBe('> one\\\n> two  \n> three');
  });

  it('turns the emoji names the built-ins use into characters, not inside code', () => {
    expect(quotedForGitHub(':x: **Failed** `:x:`\n```\n:x:\n```')).toBe(
      '> ❌ **Failed** `:x:`  \n> ```\n> :x:\n> ```',
    );
  });

  it('leaves other emoji names to GitHub, and a word with colons alone', () => {
    expect(quotedForGitHub(':smile: at 10:30:15 a:x:b')).toBe(
      ':smile: at 10:30:15 a:x:b'.replace(/^/, '> '),
    );
  });

  it('shows HTML as the text Mattermost shows, so an open comment cannot hide the table', () => {
    const summary = summaryMarkdown(
      'Deploy done\n<!-- note: see log\n<details><summary>x',
      [sentRow],
      'https://chat.example.com',
      false,
    );
    expect(summary).toContain('> &lt;!-- note: see log');
    expect(summary).toContain('> &lt;details>&lt;summary>x');
    expect(summary).toContain('https://chat.example.com/_redirect/pl/p1');
    expect(
      summary.split('\n').filter((line) => line.startsWith('>') && line.includes('<')),
    ).toEqual([]);
  });

  it('keeps autolinks, and HTML inside code, as they are', () => {
    expect(quotedForGitHub('see <https://example.com/x> and `<b>`')).toBe(
      '> see <https://example.com/x> and `<b>`',
    );
  });

  it('keeps a Mattermost ~channel link readable instead of a GitHub strikethrough', () => {
    expect(quotedForGitHub('see ~town-square and ~off-topic, or ~~this~~')).toBe(
      '> see \\~town-square and \\~off-topic, or ~~this~~',
    );
  });
});
