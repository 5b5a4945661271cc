/**
 * run(): inputs → message → delivery → outputs and summary. The only place that decides whether
 * the step succeeded.
 */
import { appendFile, readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import type { Config } from './config.js';
import { renderContent } from './content.js';
import { buildRunContext, readEventPayload, templateEnv } from './context.js';
import { deliverByApi } from './deliver/api.js';
import {
  type DeliveryResult,
  dryRunResults,
  type PostContent,
  WEBHOOK_CHANNEL,
} from './deliver/result.js';
import { deliverByWebhook } from './deliver/webhook.js';
import { ActionError } from './errors.js';
import { resolveGitHubLogins } from './github-users.js';
import { readConfig } from './inputs.js';
import { createApiClient, type MattermostApi, type UploadFile } from './mattermost/api.js';
import { createHttp, type Http } from './mattermost/http.js';
import { postToWebhook } from './mattermost/webhook.js';
import { failureReport, postsOutput, summaryMarkdown } from './report.js';
import type { TemplateContext } from './template/index.js';
import { renderThread } from './thread/render.js';
import type { Thread } from './thread/root.js';
import { lookupLogin } from './user-map.js';
import { findWorkspaceFiles } from './workspace.js';

export async function run(): Promise<void> {
  let http: Http | undefined;
  try {
    const config = readConfig(core, process.env);
    if (!config.dryRun) {
      http = createHttp({
        retries: config.retries,
        timeoutSeconds: config.timeoutSeconds,
        log: core.info,
      });
    }
    const api =
      http && config.connection.mode === 'api'
        ? createApiClient(http, config.connection.serverUrl, config.connection.token)
        : undefined;
    const context = templateContext(config);
    const content = await renderContent(config, context, api, core.warning);
    if (!content.message.trim() && !content.attachments && config.files.length === 0) {
      throw new ActionError(
        'The message is empty after rendering: check the message template (a variable that is not in the event renders as nothing).',
        { input: 'message' },
      );
    }
    const thread = await threadOf(config, context);
    const files = await readFiles(config);
    const results = await deliver(config, content, files, context.github, api, http, thread);
    await report(config, content.message, results);
  } catch (error) {
    core.setFailed(
      error instanceof ActionError ? error.message : `Unexpected error: ${String(error)}`,
    );
  } finally {
    http?.dispose();
  }
}

function templateContext(config: Config): TemplateContext {
  const env = process.env;
  const { github, links } = buildRunContext(env, readEventPayload(env));
  return {
    github,
    links,
    event: github.event,
    job: { status: config.status ?? '' },
    env: templateEnv(env, secretsOf(config)),
  };
}

/** Outputs, step summary and log; fails the step when any destination failed. */
async function report(config: Config, message: string, results: DeliveryResult[]): Promise<void> {
  const first = results.find((r) => r.status === 'sent' && r.postId);
  core.setOutput('message', message);
  core.setOutput('posts', postsOutput(results));
  core.setOutput('post-id', first?.postId ?? '');
  core.setOutput('channel-id', first?.channelId ?? '');
  core.setOutput('root-id', first?.rootId ?? '');
  await writeSummary(summaryMarkdown(message, results, serverUrlOf(config), config.dryRun));
  for (const sent of results.filter((r) => r.status === 'sent')) {
    core.info(`Sent to ${sent.destination}${sent.postId ? ` (post ${sent.postId})` : ''}.`);
  }
  const failure = failureReport(results);
  if (failure) core.setFailed(failure);
  else if (config.dryRun) core.info('Dry run: nothing was sent.');
}

function secretsOf(config: Config): string[] {
  const connection = config.connection;
  const secret = connection.mode === 'webhook' ? connection.webhookUrl : connection.token;
  return [secret, config.githubToken ?? ''];
}

function serverUrlOf(config: Config): string | undefined {
  return config.connection.mode === 'api' ? config.connection.serverUrl : undefined;
}

async function readFiles(config: Config): Promise<UploadFile[]> {
  if (config.files.length === 0) return [];
  const found = await findWorkspaceFiles(config.files, config.workspace);
  if (config.dryRun) return [];
  return Promise.all(
    found.map(async (file) => ({ name: file.name, content: await readFile(file.path) })),
  );
}

async function deliver(
  config: Config,
  content: PostContent,
  files: UploadFile[],
  github: TemplateContext['github'],
  api: MattermostApi | undefined,
  http: Http | undefined,
  thread: Thread | undefined,
): Promise<DeliveryResult[]> {
  const resolveLogins = (logins: string[]) =>
    resolveGitHubLogins(logins, {
      userMap: config.userMap,
      event: github.event,
      repository: github.repository,
      githubToken: config.githubToken,
      apiUrl: github.api_url,
      apiMode: config.connection.mode === 'api',
      log: core.notice,
      timeoutMs: config.timeoutSeconds * 1000,
    });
  if (!http) {
    const fallback = config.updatePostId ?? config.rootId ?? WEBHOOK_CHANNEL;
    return dryRunResults(config.destinations, fallback);
  }
  if (api) {
    return deliverByApi({
      api,
      destinations: config.destinations,
      content,
      rootId: config.rootId,
      updatePostId: config.updatePostId,
      files,
      resolveLogins,
      thread,
      reactions: config.reactions,
    });
  }
  const webhookUrl = config.connection.mode === 'webhook' ? config.connection.webhookUrl : '';
  return deliverByWebhook({
    destinations: config.destinations,
    content,
    resolveLogins,
    post: (body, label) => postToWebhook(http, webhookUrl, body, label),
  });
}

/** `thread-key` and `thread-root` rendered; `mention` there prints usernames from user-map. */
async function threadOf(config: Config, context: TemplateContext): Promise<Thread | undefined> {
  if (!config.thread) return undefined;
  const mentionFor = (login: string) => {
    const ref = lookupLogin(config.userMap, login);
    return ref?.kind === 'username' ? ref.username : undefined;
  };
  return { ...(await renderThread(config.thread, context, { mentionFor })), notice: core.notice };
}

/** Appends to the step summary file (core.summary would remember the first run's file path). */
async function writeSummary(markdown: string): Promise<void> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (path) await appendFile(path, `${markdown}\n`);
}
