/**
 * Checks what GitHub reads (action.yml, workflows, the YAML shown in the docs) with GitHub's own
 * language service, the parser behind the VS Code extension and github.com's workflow editor,
 * which carries the runner's action and workflow schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@actions/languageservice';
import type { ActionMetadata, ActionReference } from '@actions/languageservice/action';
import { clearCacheEntry } from '@actions/languageservice/utils/workflow-cache';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import { INPUT_CHOICES, INPUT_RANGES } from '../../src/inputs.js';
import { repoRoot } from './action.js';

/** How the docs refer to this action. */
export const OUR_ACTION = 'mattermost-notify/mattermost-notify';

export interface Finding {
  line: number;
  message: string;
}

/** Errors and warnings in an `action.yml`, as GitHub's language service reports them. */
export async function actionManifestFindings(text: string): Promise<Finding[]> {
  return languageServiceFindings('file:///repo/action.yml', text);
}

/**
 * Errors and warnings in a workflow. Steps that use this action (by `owner/name@ref` or `./`)
 * are checked against `manifest` (our action.yml): an input it does not declare is an error.
 */
export async function workflowFindings(text: string, manifest: string): Promise<Finding[]> {
  const metadata = actionMetadata(manifest);
  // The language service does not resolve local actions; `./` in this repository is this action.
  const resolved = text.replace(/^(\s*-?\s*uses:\s*)\.\/?\s*$/gm, `$1${OUR_ACTION}@local`);
  const findings = await languageServiceFindings(
    'file:///repo/.github/workflows/workflow.yml',
    resolved,
    {
      fetchActionMetadata: async (ref: ActionReference) => {
        const id = [ref.owner, ref.name, ref.path].filter(Boolean).join('/');
        if (id === OUR_ACTION) return OUR_REFS.includes(ref.ref) ? metadata : undefined;
        return otherActionMetadata(id, ref.ref);
      },
    },
  );
  return [...findings, ...literalValueFindings(resolved, metadata)];
}

async function languageServiceFindings(
  uri: string,
  text: string,
  actionsMetadataProvider?: {
    fetchActionMetadata(ref: ActionReference): Promise<ActionMetadata | undefined>;
  },
): Promise<Finding[]> {
  clearCacheEntry(uri);
  const document = TextDocument.create(uri, 'yaml', 1, text);
  const diagnostics = await validate(document, { actionsMetadataProvider });
  // Severity 1 is an error, 2 a warning; 3 and 4 (information, hints) describe, e.g. a cron.
  return diagnostics
    .filter((d) => d.severity === undefined || d.severity <= 2)
    .map((d) => ({
      line: d.range.start.line + 1,
      message: typeof d.message === 'string' ? d.message : d.message.value,
    }));
}

const OTHER_ACTIONS = 'test/fixtures/github-tools/other-actions.json';

/** The refs the docs may use for this action (`local` stands for `uses: ./`). */
const OUR_REFS = ['v1', 'local'];

/**
 * Another action's inputs, from OTHER_ACTIONS, at the version listed there (its major tag, the
 * version itself, or its commit); anything else is undefined, an error: "Unable to resolve".
 */
function otherActionMetadata(id: string, ref: string): ActionMetadata | undefined {
  const known = JSON.parse(readRepoFile(OTHER_ACTIONS)) as Record<
    string,
    { version?: string; sha?: string; inputs?: string[] }
  >;
  const action = known[id];
  const inputs = action?.inputs;
  if (!action || !inputs) return undefined;
  const refs = [action.version, action.version?.split('.')[0], action.sha];
  if (!refs.includes(ref)) return undefined;
  return {
    name: id,
    description: '',
    inputs: Object.fromEntries(inputs.map((name) => [name, { description: '' }])),
  };
}

function actionMetadata(manifest: string): ActionMetadata {
  const parsed = parse(manifest) as ActionMetadata;
  return { name: parsed.name, description: parsed.description, inputs: parsed.inputs };
}

/**
 * GitHub passes `with:` values as strings without looking at them, so the language service
 * cannot know that `dry-run: maybe` is wrong. Literal values of the inputs whose default is a
 * boolean or a number are checked here the way the action reads them.
 */
function literalValueFindings(workflow: string, metadata: ActionMetadata): Finding[] {
  const findings: Finding[] = [];
  const document = parseDocument(workflow);
  const lineOf = (offset: number) => workflow.slice(0, offset).split('\n').length;
  const jobs = document.get('jobs');
  if (!isMap(jobs)) return findings;
  for (const job of jobs.items) {
    const steps = isMap(job.value) ? job.value.get('steps') : undefined;
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const uses = String(step.get('uses') ?? '');
      const withs = step.get('with');
      if (!uses.startsWith(`${OUR_ACTION}@`) || !isMap(withs)) continue;
      for (const pair of withs.items) {
        const name = String((pair.key as { value?: unknown }).value);
        const node = pair.value as { value?: unknown; range?: [number, number, number] } | null;
        const value = String(node?.value ?? '');
        const fallback = metadata.inputs?.[name]?.default;
        if (value.includes('${{')) continue;
        const problem = choiceProblem(name, value) ?? literalProblem(value, fallback);
        if (problem) {
          findings.push({ line: lineOf(node?.range?.[0] ?? 0), message: `${name}: ${problem}` });
        }
      }
    }
  }
  return findings;
}

/** A literal the action itself would refuse: not one of an input's words, or out of its range. */
function choiceProblem(name: string, value: string): string | undefined {
  const choices = INPUT_CHOICES[name];
  if (choices && !choices.includes(value.toLowerCase())) {
    return `'${value}' is not one of ${choices.join(', ')}`;
  }
  const range = INPUT_RANGES[name as keyof typeof INPUT_RANGES];
  if (range && /^\d+$/.test(value) && (Number(value) < range.min || Number(value) > range.max)) {
    return `'${value}' is not from ${range.min} to ${range.max}`;
  }
  return undefined;
}

function literalProblem(value: string, fallback: string | undefined): string | undefined {
  if (fallback === undefined) return undefined;
  if (/^(true|false)$/.test(fallback) && !/^(true|false|yes|no|on|off|1|0)$/i.test(value)) {
    return `'${value}' is not true or false`;
  }
  if (/^\d+$/.test(fallback) && !/^\d+$/.test(value)) return `'${value}' is not a whole number`;
  return undefined;
}

export interface YamlBlock {
  /** e.g. `README.md:42`, the line of the opening fence. */
  where: string;
  /** Line of the block's first line of YAML in its file. */
  firstLine: number;
  text: string;
  /** The file it says it shows, from `<!-- examples/x.yml -->` on the line before the fence. */
  shows: string | undefined;
}

/** Every ```yaml / ```yml block of a Markdown file. */
export function yamlBlocks(file: string, markdown: string): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i] ?? '')) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    const marker = lines[start - 1]?.match(/^<!--\s*(\S+\.ya?ml)\s*-->$/)?.[1];
    blocks.push({
      where: `${file}:${start + 1}`,
      firstLine: start + 2,
      text: `${body.join('\n')}\n`,
      shows: marker,
    });
  }
  return blocks;
}

export type Snippet =
  | { kind: 'workflow'; workflow: string; lineOffset: number }
  | { kind: 'data'; path: string }
  | { kind: 'invalid'; findings: Finding[] }
  | { kind: 'unknown'; reason: string };

const WRAP_INDENT = '      ';
const WRAP_HEAD = 'on: push\njobs:\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n';
const WRAP_JOB = 'jobs:\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n';
/** Keys a snippet of a workflow's top level (`permissions:` …) may have. */
const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency'];

/**
 * What a documentation snippet is, and as a workflow: a whole workflow as it is; a list of
 * steps inside a minimal workflow; a block of inputs (`message: …`) as the `with:` of a step
 * of this action; top-level keys (`permissions:`, `on:` …) above a minimal job. A YAML file that is not a workflow must say which file it is in a first-line
 * comment (`# .github/mattermost-users.yml`) and is only parsed.
 */
export function snippetAsWorkflow(text: string, inputNames: readonly string[]): Snippet {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const findings = document.errors.map((error) => ({
      line: error.linePos?.[0].line ?? 1,
      message: (error.message.split('\n')[0] ?? error.message).replace(/:$/, ''),
    }));
    return { kind: 'invalid', findings };
  }
  const value: unknown = document.toJS();
  if (Array.isArray(value)) {
    return {
      kind: 'workflow',
      workflow: WRAP_HEAD + indent(text, WRAP_INDENT),
      lineOffset: WRAP_HEAD.split('\n').length - 1,
    };
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.includes('jobs')) return { kind: 'workflow', workflow: text, lineOffset: 0 };
    if (keys.every((key) => WORKFLOW_KEYS.includes(key))) {
      const trigger = keys.includes('on') ? '' : 'on: push\n';
      return { kind: 'workflow', workflow: `${text}${trigger}${WRAP_JOB}`, lineOffset: 0 };
    }
    if (keys.length > 0 && keys.every((key) => inputNames.includes(key))) {
      const head = `${WRAP_HEAD}${WRAP_INDENT}- uses: ${OUR_ACTION}@v1\n${WRAP_INDENT}  with:\n`;
      return {
        kind: 'workflow',
        workflow: head + indent(dedent(text), `${WRAP_INDENT}    `),
        lineOffset: head.split('\n').length - 1,
      };
    }
    const path = text.match(/^#\s*(\S+\.(?:ya?ml|json))\s*$/m)?.[1];
    if (path && !path.includes('.github/workflows/')) return { kind: 'data', path };
  }
  return {
    kind: 'unknown',
    reason:
      'not a workflow (jobs:), a list of steps, a block of inputs of this action, nor a file named in a first-line comment',
  };
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line ? prefix + line : line))
    .join('\n');
}

function dedent(text: string): string {
  const lines = text.split('\n');
  const widths = lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length);
  const width = Math.min(...widths);
  return lines.map((line) => line.slice(width)).join('\n');
}

/** Files of a folder of the repository with the given extension, sorted; none if it is missing. */
export function repoFiles(folder: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(join(repoRoot, folder));
  } catch {
    return [];
  }
  return names
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(folder, name));
}

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}
