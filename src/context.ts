/** The GitHub side of a run: the `github` context, the event payload and the links built from them. */
import { readFileSync } from 'node:fs';

export type EventPayload = Record<string, unknown>;

/** The Actions `github` context, as far as the runner exposes it to a JavaScript action. */
export interface GitHubContext {
  event_name: string;
  event: EventPayload;
  repository: string;
  repository_owner: string;
  ref: string;
  ref_name: string;
  ref_type: string;
  sha: string;
  head_ref: string;
  base_ref: string;
  actor: string;
  triggering_actor: string;
  workflow: string;
  job: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  server_url: string;
  api_url: string;
}

export interface Links {
  repo: string;
  run: string;
  commit: string;
  compare?: string;
  pull_request?: string;
  issue?: string;
  release?: string;
}

export interface RunContext {
  github: GitHubContext;
  links: Links;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the event file named by `GITHUB_EVENT_PATH`; a missing file is an empty event. */
export function readEventPayload(env: Env): EventPayload {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const parsed: unknown = JSON.parse(text);
  return isRecord(parsed) ? parsed : {};
}

export function buildRunContext(env: Env, event: EventPayload): RunContext {
  const github = buildGitHubContext(env, event);
  return { github, links: buildLinks(github) };
}

function buildGitHubContext(env: Env, event: EventPayload): GitHubContext {
  const repository = env.GITHUB_REPOSITORY || stringAt(event, 'repository', 'full_name');
  const serverUrl = trimSlash(env.GITHUB_SERVER_URL || 'https://github.com');
  return {
    event_name: env.GITHUB_EVENT_NAME ?? '',
    event,
    repository,
    repository_owner: env.GITHUB_REPOSITORY_OWNER || repository.split('/')[0] || '',
    ref: env.GITHUB_REF ?? '',
    ref_name: env.GITHUB_REF_NAME ?? '',
    ref_type: env.GITHUB_REF_TYPE ?? '',
    sha: env.GITHUB_SHA ?? '',
    head_ref: env.GITHUB_HEAD_REF ?? '',
    base_ref: env.GITHUB_BASE_REF ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    triggering_actor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR || '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    run_id: env.GITHUB_RUN_ID ?? '',
    run_number: env.GITHUB_RUN_NUMBER ?? '',
    run_attempt: env.GITHUB_RUN_ATTEMPT ?? '',
    server_url: serverUrl,
    api_url: trimSlash(env.GITHUB_API_URL || apiUrlFor(serverUrl)),
  };
}

/**
 * Links prefer the event's own `html_url`; otherwise they are built from `server_url`, so that
 * GitHub Enterprise Server runs link to their own host.
 */
function buildLinks(github: GitHubContext): Links {
  const event = github.event;
  const repo =
    stringAt(event, 'repository', 'html_url') || `${github.server_url}/${github.repository}`;
  const run = github.run_id ? `${repo}/actions/runs/${github.run_id}` : `${repo}/actions`;
  const commitSha =
    stringAt(event, 'pull_request', 'head', 'sha') ||
    stringAt(event, 'after').replace(/^0+$/, '') ||
    github.sha;
  const links: Links = { repo, run, commit: commitSha ? `${repo}/commit/${commitSha}` : repo };

  const compare = stringAt(event, 'compare');
  if (compare) links.compare = compare;
  const pullRequest = stringAt(event, 'pull_request', 'html_url');
  if (pullRequest) links.pull_request = pullRequest;
  const issue = stringAt(event, 'issue', 'html_url');
  if (issue) links.issue = issue;
  const release = stringAt(event, 'release', 'html_url');
  if (release) links.release = release;
  return links;
}

function apiUrlFor(serverUrl: string): string {
  return serverUrl === 'https://github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string at a path in a JSON object, or '' when any step is missing or not a string. */
export function stringAt(value: unknown, ...path: string[]): string {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return '';
    current = current[key];
  }
  return typeof current === 'string' ? current : '';
}

/**
 * The `env` a template sees: the step's environment without the action's inputs, the runner's
 * internals, the GitHub token and any value that is a secret.
 */
export function templateEnv(env: Env, secrets: readonly string[]): Record<string, string> {
  const hidden = secrets.filter((secret) => secret.trim().length > 0);
  const visible: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || hidden.some((secret) => value.includes(secret.trim()))) continue;
    if (name.startsWith('INPUT_') || name.startsWith('ACTIONS_') || name === 'GITHUB_TOKEN')
      continue;
    visible[name] = value;
  }
  return visible;
}
