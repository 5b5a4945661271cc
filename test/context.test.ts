import { describe, expect, it } from 'vitest';
import { buildRunContext, templateEnv } from '../src/context.js';
import { runAction } from './support/action.js';

describe('templateEnv', () => {
  it('leaves out inputs, runner internals, the GitHub token and anything holding a secret', () => {
    const env = templateEnv(
      {
        INPUT_TOKEN: 'x',
        ACTIONS_RUNTIME_TOKEN: 'y',
        GITHUB_TOKEN: 'ghs_abc',
        MATTERMOST_TOKEN: 'sekrit-token\n',
        AUTH_HEADER: 'Bearer sekrit-token',
        DEPLOY_ENV: 'production',
      },
      ['sekrit-token', ''],
    );
    expect(env).toEqual({ DEPLOY_ENV: 'production' });
  });
});

describe('buildRunContext', () => {
  it('builds links from GITHUB_SERVER_URL when the event has none (GitHub Enterprise Server)', () => {
    const { github, links } = buildRunContext(
      {
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_RUN_ID: '7',
        GITHUB_SHA: 'abc',
      },
      {},
    );
    expect(github.api_url).toBe('https://ghe.example.com/api/v3');
    expect(links).toEqual({
      repo: 'https://ghe.example.com/acme/app',
      run: 'https://ghe.example.com/acme/app/actions/runs/7',
      commit: 'https://ghe.example.com/acme/app/commit/abc',
    });
  });
});

describe('a template asking for the token through env', () => {
  it('gets nothing, even when the secret came with a trailing newline', async () => {
    const run = await runAction({
      inputs: {
        channel: 'abcdefghijklmnopqrstuvwxyz',
        message: '[{{ env.MATTERMOST_TOKEN }}]',
        'dry-run': 'true',
      },
      env: { MATTERMOST_URL: 'https://chat.example.com', MATTERMOST_TOKEN: 'sekrit-token\n' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.message).toBe('[]');
  });
});
