/**
 * run(): inputs → message → delivery → outputs and summary. The only place that decides whether
 * the step succeeded.
 */
import { appendFile, readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import type { Config, MattermostUserRef } from './config.js';
import { buildRunContext, isRecord, readEventPayload, templateEnv } from './context.js';
import {
  type DeliveryResult,
  deliverByApi,
  deliverByWebhook,
  dryRunResults,
  type PostContent,
  WEBHOOK_CHANNEL,
} from './deliver.js';
import { ActionError } from './errors.js';
import { resolveGitHubLogins } from './github-users.js';
import { readConfig } from './inputs.js';
import { createApiClient, type MattermostApi, type UploadFile } from './mattermost/api.js';
import { createHttp, type Http } from './mattermost/http.js';
import { postToWebhook } from './mattermost/webhook.js';
import { failureReport, postsOutput, summaryMarkdown } from './report.js';
import {
  renderMessage,
  renderPayload,
  statusAttachment,
  type TemplateContext,
} from './template/index.js';
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
    const content = await renderContent(config, context, api);
    if (!content.message.trim() && !content.attachments && config.files.length === 0) {
      throw new ActionError(
        'The message is empty after rendering: check the message template (a variable that is not in the event renders as nothing).',
        { input: 'message' },
      );
    }
    const files = await readFiles(config);
    const results = await deliver(config, content, files, context.github, api, http);
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

async function renderContent(
  config: Config,
  context: TemplateContext,
  api: MattermostApi | undefined,
): Promise<PostContent> {
  const mentionFor = await mentionResolver(config, context, api);
  const message = await renderMessage(config.template, context, { mentionFor });
  const payload = config.payload
    ? await renderPayload(config.payload, context, { mentionFor })
    : {};
  // REST users write attachments under props (where the API keeps them), webhook users at the
  // top level: either way they are the payload's attachments, and no status colour replaces them.
  const props = isRecord(payload.props) ? { ...payload.props } : undefined;
  const attachmentsInProps = props?.attachments;
  if (props) delete props.attachments;
  const attachments = Array.isArray(payload.attachments)
    ? payload.attachments
    : Array.isArray(attachmentsInProps)
      ? attachmentsInProps
      : undefined;
  const statusColour =
    config.status && !attachments ? statusAttachment(config.status, context) : undefined;
  const display = { ...config.display };
  // In webhook mode the payload may carry display fields of its own; the inputs win.
  if (typeof payload.username === 'string') display.username ??= payload.username;
  if (typeof payload.icon_url === 'string') display.iconUrl ??= payload.icon_url;
  if (typeof payload.icon_emoji === 'string') display.iconEmoji ??= payload.icon_emoji;
  return {
    message,
    props: props && Object.keys(props).length > 0 ? props : undefined,
    attachments: attachments ?? (statusColour ? [statusColour] : undefined),
    priority: payload.priority as Record<string, unknown> | undefined,
    type: typeof payload.type === 'string' ? payload.type : undefined,
    display,
  };
}

/**
 * The `mention` filter's look-up. A login mapped to an email needs the API to learn the username:
 * the template is first rendered to find which such logins it mentions, and only those are looked up.
 */
async function mentionResolver(
  config: Config,
  context: TemplateContext,
  api: MattermostApi | undefined,
): Promise<(login: string) => string | undefined> {
  const emailsMentioned = new Map<string, string>();
  const fromMap = (login: string): MattermostUserRef | undefined =>
    lookupLogin(config.userMap, login);
  const firstPass = (login: string) => {
    const ref = fromMap(login);
    if (ref?.kind === 'email') emailsMentioned.set(login.toLowerCase(), ref.email);
    return ref?.kind === 'username' ? ref.username : undefined;
  };
  if (!api || config.userMap.size === 0) return firstPass;
  await renderMessage(config.template, context, { mentionFor: firstPass });
  if (config.payload) await renderPayload(config.payload, context, { mentionFor: firstPass });
  const usernames = new Map<string, string>();
  await Promise.all(
    [...emailsMentioned].map(async ([login, email]) => {
      const user = await api.getUserByEmail(email).catch(() => undefined);
      if (user) usernames.set(login, user.username);
    }),
  );
  return (login) => firstPass(login) ?? usernames.get(login.toLowerCase());
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

/** Appends to the step summary file (core.summary would remember the first run's file path). */
async function writeSummary(markdown: string): Promise<void> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (path) await appendFile(path, `${markdown}\n`);
}
