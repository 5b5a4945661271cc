/**
 * run(): inputs → message → delivery → outputs and summary. The only place that decides whether
 * the step succeeded.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import * as core from './actions-core.js';
import type { Config } from './config.js';
import { renderContent } from './content.js';
import { buildRunContext, type RunContext, readEventPayload, templateEnv } from './context.js';
import {
  type DeliveryResult,
  dryRunResults,
  type PostContent,
  skippedResults,
  WEBHOOK_CHANNEL,
} from './deliver/result.js';
import { deliverByWebhook } from './deliver/webhook.js';
import { ActionError } from './errors.js';
import { type AuthorMention, mentionFailureAuthor, userMapWithMention } from './failures/author.js';
import { examineRun, type RunFindings } from './failures/index.js';
import { resolveGitHubLogins } from './github-users.js';
import { readConfig } from './inputs.js';
import type { MattermostApi, UploadFile } from './mattermost/api.js';
import { createHttp, type Http } from './mattermost/http.js';
import { postToWebhook } from './mattermost/webhook.js';
import {
  dryRunTarget,
  failureReport,
  NO_DESTINATION,
  postsOutput,
  summaryMarkdown,
} from './report.js';
import type { TemplateContext } from './template/index.js';
import { renderThread } from './thread/render.js';
import type { Thread } from './thread/root.js';
import { lookupLogin } from './user-map.js';
import { findWorkspaceFiles } from './workspace.js';

export async function run(): Promise<void> {
  let http: Http | undefined;
  try {
    const inputs = await readConfig(core, process.env);
    const runContext = buildRunContext(process.env, readEventPayload(process.env));
    const findings = await examineRun({
      status: inputs.status,
      notifyOn: inputs.notifyOn,
      github: runContext.github,
      runnerName: process.env.RUNNER_NAME,
      githubToken: inputs.githubToken,
      timeoutMs: inputs.timeoutSeconds * 1000,
      dryRun: inputs.dryRun,
    });
    for (const problem of findings.problems) core.notice(problem);
    const config: Config = { ...inputs, status: findings.status };
    if (!findings.decision.post) {
      core.info(`Not posting: ${findings.decision.reason}.`);
      const results = skippedResults(config.destinations, fallbackDestination(config));
      await report(config, '', results, findings.decision.reason);
      return;
    }
    if (!config.dryRun) {
      http = createHttp({
        retries: config.retries,
        timeoutSeconds: config.timeoutSeconds,
        log: core.info,
      });
    }
    // API-only code is a chunk of its own: a webhook delivery never loads it.
    const api =
      http && config.connection.mode === 'api'
        ? (await import('./mattermost/api.js')).createApiClient(
            http,
            config.connection.serverUrl,
            config.connection.token,
          )
        : undefined;
    const mention = await failureMention(config, findings, runContext, api);
    const context = templateContext(config, runContext, findings, mention);
    const content = await renderContent(
      mention ? { ...config, userMap: userMapWithMention(config.userMap, mention) } : config,
      context,
      api,
      core.warning,
    );
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

function templateContext(
  config: Config,
  { github, links }: RunContext,
  findings: RunFindings,
  mention: AuthorMention | undefined,
): TemplateContext {
  return {
    github,
    links,
    event: github.event,
    job: { status: config.status ?? '' },
    env: templateEnv(process.env, secretsOf(config)),
    failed_jobs: findings.failedJobs,
    change: findings.decision.post ? (findings.decision.change ?? '') : '',
    failure_author: mention ? { login: mention.label } : null,
  };
}

/** `mention-on-failure: author`: whom a failure mentions, resolved the way `github-user` is. */
async function failureMention(
  config: Config,
  findings: RunFindings,
  { github }: RunContext,
  api: MattermostApi | undefined,
): Promise<AuthorMention | undefined> {
  if (config.mentionOnFailure !== 'author' || findings.outcome !== 'failure') return undefined;
  const { mention, note } = await mentionFailureAuthor(github.event, {
    resolveLogins: loginResolver(config, github, !config.dryRun),
    usernameForEmail: api
      ? (email) => api.getUserByEmail(email).then((user) => user.username)
      : undefined,
  });
  if (note) core.info(note);
  return mention;
}

/** Outputs, step summary and log; fails the step when any destination failed. */
async function report(
  config: Config,
  message: string,
  results: DeliveryResult[],
  skipped?: string,
): Promise<void> {
  const first = results.find((r) => r.status === 'sent' && r.postId);
  core.setOutput('message', message);
  core.setOutput('posts', postsOutput(results));
  core.setOutput('post-id', first?.postId ?? '');
  core.setOutput('channel-id', first?.channelId ?? '');
  core.setOutput('root-id', first?.rootId ?? '');
  const summary = summaryMarkdown(message, results, serverUrlOf(config), config.dryRun, skipped);
  await writeSummary(
    config.dryRun && !skipped ? `${summary}\n${dryRunTarget(config.connection)}\n` : summary,
  );
  for (const sent of results.filter((r) => r.status === 'sent')) {
    core.info(`Sent to ${sent.destination}${sent.postId ? ` (post ${sent.postId})` : ''}.`);
  }
  const failure = failureReport(results);
  if (failure) core.setFailed(failure);
  else if (config.dryRun && !skipped) core.info('Dry run: nothing was sent.');
}

function secretsOf(config: Config): string[] {
  const connection = config.connection;
  const secret =
    connection.mode === 'webhook'
      ? connection.webhookUrl
      : connection.mode === 'api'
        ? connection.token
        : '';
  return [secret, config.githubToken ?? ''];
}

function serverUrlOf(config: Config): string | undefined {
  return config.connection.mode === 'api' ? config.connection.serverUrl : undefined;
}

async function readFiles(config: Config): Promise<UploadFile[]> {
  if (config.files.length === 0) return [];
  const found = await findWorkspaceFiles(config.files, config.workspace);
  if (config.dryRun) return [];
  // Sync fs: node:fs/promises costs ~2 ms of start-up (it loads readline), and nothing else runs yet.
  return found.map((file) => ({ name: file.name, content: readFileSync(file.path) }));
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
  const resolveLogins = loginResolver(config, github, true);
  if (!http) return dryRunResults(config.destinations, fallbackDestination(config));
  if (api) {
    const { deliverByApi } = await import('./deliver/api.js');
    return deliverByApi(
      {
        api,
        destinations: config.destinations,
        content,
        rootId: config.rootId,
        updatePostId: config.updatePostId,
        files,
        resolveLogins,
        thread,
        reactions: config.reactions,
      },
      { log: core.notice, now: Date.now },
    );
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
  return renderThread(config.thread, context, { mentionFor });
}

function loginResolver(
  config: Config,
  github: TemplateContext['github'],
  online: boolean,
): (logins: string[]) => ReturnType<typeof resolveGitHubLogins> {
  return (logins) =>
    resolveGitHubLogins(logins, {
      userMap: config.userMap,
      event: github.event,
      repository: github.repository,
      githubToken: config.githubToken,
      apiUrl: github.api_url,
      apiMode: online && config.connection.mode === 'api',
      log: core.notice,
      timeoutMs: config.timeoutSeconds * 1000,
    });
}

/** The label of a result when the inputs name no destination. */
function fallbackDestination(config: Config): string {
  const own = config.connection.mode === 'webhook' ? WEBHOOK_CHANNEL : NO_DESTINATION;
  return config.updatePostId ?? config.rootId ?? own;
}

/** Appends to the step summary file (core.summary would remember the first run's file path). */
async function writeSummary(markdown: string): Promise<void> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (path) appendFileSync(path, `${markdown}\n`);
}
