/**
 * What GitHub reads, checked with GitHub's own tools: action.yml (the runner refuses to load an
 * action whose manifest holds an expression it cannot evaluate), every workflow of the
 * repository, every example workflow, and every YAML snippet of the docs, with this action's
 * inputs served from action.yml so an input we do not have is an error.
 */
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  actionManifestFindings,
  type Finding,
  OUR_ACTION,
  readRepoFile,
  repoFiles,
  snippetAsWorkflow,
  workflowFindings,
  type YamlBlock,
  yamlBlocks,
} from './support/github-tools.js';

const manifest = readRepoFile('action.yml');
const inputNames = Object.keys((parse(manifest) as { inputs: object }).inputs);
const workflows = [
  ...repoFiles('.github/workflows', /\.ya?ml$/),
  ...repoFiles('examples', /\.ya?ml$/),
];
const markdownFiles = ['README.md', ...repoFiles('docs', /\.md$/)];
const blocks = markdownFiles.flatMap((file) => yamlBlocks(file, readRepoFile(file)));

/** Findings of a documentation snippet, with lines of the Markdown file. */
async function snippetFindings(block: YamlBlock): Promise<Finding[]> {
  const snippet = snippetAsWorkflow(block.text, inputNames);
  const at = (line: number) => block.firstLine + line - 1;
  switch (snippet.kind) {
    case 'invalid':
      return snippet.findings.map((f) => ({ ...f, line: at(f.line) }));
    case 'unknown':
      return [{ line: at(1), message: snippet.reason }];
    case 'data':
      return [];
    case 'workflow': {
      const findings = await workflowFindings(snippet.workflow, manifest);
      return findings.map((f) => ({ ...f, line: at(f.line - snippet.lineOffset) }));
    }
  }
}

function lines(file: string, findings: Finding[]): string[] {
  return findings.map((f) => `${file}:${f.line}: ${f.message}`);
}

describe('action.yml', () => {
  test('loads as the runner loads it: no expression outside a default, every key known', async () => {
    expect(lines('action.yml', await actionManifestFindings(manifest))).toEqual([]);
  });

  test('the check finds an expression in a description, which stops every workflow at "Set up job"', async () => {
    // The status input as it was in 0.1.0.
    const old = readRepoFile('test/fixtures/github-tools/old-status-description.yml');
    const broken = manifest.replace(/\n {2}status:\n(?: {4}.*\n)+/, `\n${old}`);
    expect(broken).toContain(old);
    expect(await actionManifestFindings(broken)).toContainEqual(
      expect.objectContaining({ message: "Unrecognized named-value: 'job'" }),
    );
  });

  test('is fit for the Marketplace: a name of its own, a description of at most 125 characters', () => {
    const { name, description } = parse(manifest) as { name: string; description: string };
    // "Mattermost Notify" is the name of nicanor-romero/actions-mattermost-notify.
    expect(name.toLowerCase()).not.toBe('mattermost notify');
    expect(description.length).toBeLessThanOrEqual(125);
  });
});

describe('workflows', () => {
  test('there are workflows and examples to check', () => {
    expect(workflows.filter((w) => w.startsWith('.github/')).length).toBeGreaterThan(0);
    expect(workflows.filter((w) => w.startsWith('examples/')).length).toBeGreaterThan(0);
  });

  test.each(workflows)('%s is a valid workflow', async (file) => {
    expect(lines(file, await workflowFindings(readRepoFile(file), manifest))).toEqual([]);
  });

  test.each(repoFiles('examples', /\.ya?ml$/))('%s uses the published action', (file) => {
    expect(readRepoFile(file)).toContain(`uses: ${OUR_ACTION}@v1`);
  });

  test('the check finds an input an action does not have, a literal it cannot read or the action refuses, an unknown action or version', async () => {
    const workflow = readRepoFile('test/fixtures/github-tools/wrong-inputs.yml');
    const found = (await workflowFindings(workflow, manifest)).map(
      (f) => `${f.line}: ${f.message}`,
    );
    expect(found.sort()).toEqual([
      "10: Invalid action input 'chanel'",
      "11: dry-run: 'maybe' is not true or false",
      "12: retries: 'three' is not a whole number",
      '15: Context access might be invalid: statuss',
      "16: Invalid action input 'text'",
      "19: Invalid action input 'persist-credentails'",
      '20: Unable to resolve action `someone/unknown-action@v1`, repository or version not found',
      "23: notify-on: 'failur' is not one of always, failure, change",
      "24: mention-on-failure: 'authr' is not one of none, author",
      "25: status: 'failed' is not one of success, failure, cancelled, skipped, workflow",
      "26: thread-lookback: '999' is not from 1 to 365",
      "27: retries: '99' is not from 0 to 10",
      '28: Unable to resolve action `mattermost-notify/mattermost-notify@v2`, repository or version not found',
      '29: Unable to resolve action `actions/checkout@v99`, repository or version not found',
    ]);
  });
});

describe('YAML in the docs', () => {
  test('there are snippets to check', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  test.each(blocks.map((block) => [block.where, block] as const))(
    '%s is valid as GitHub reads it',
    async (where, block) => {
      expect(lines(where.split(':')[0] ?? where, await snippetFindings(block))).toEqual([]);
    },
  );

  test('the check refuses a plain scalar that holds ": " (the old direct-message example)', async () => {
    const file = 'test/fixtures/github-tools/old-readme-dm.md';
    const [block] = yamlBlocks(file, readRepoFile(file));
    expect(block).toBeDefined();
    if (!block) return;
    expect(lines(file, await snippetFindings(block))).toEqual([
      `${file}:10: Nested mappings are not allowed in compact mappings at line 7, column 14`,
    ]);
  });

  test('a snippet of inputs is checked as the with: of this action', async () => {
    const block: YamlBlock = {
      where: 'x.md:1',
      firstLine: 2,
      text: '    message: hi\n    dry-run: perhaps\n',
      shows: undefined,
    };
    expect(lines('x.md', await snippetFindings(block))).toEqual([
      "x.md:3: dry-run: 'perhaps' is not true or false",
    ]);
  });

  test('a snippet of top-level keys is checked above a minimal job', async () => {
    const block: YamlBlock = {
      where: 'x.md:1',
      firstLine: 2,
      text: 'permissions:\n  actions: read\n  checkz: read\n',
      shows: undefined,
    };
    expect(lines('x.md', await snippetFindings(block))).toEqual([
      "x.md:4: Unexpected value 'checkz'",
    ]);
  });

  test('every example workflow is shown in the README (verbatim) or linked from it', () => {
    const readme = readRepoFile('README.md');
    const shown = blocks.filter((block) => block.shows);
    for (const block of shown) {
      expect(block.text, `${block.where} shows ${block.shows}`).toBe(
        readRepoFile(block.shows ?? ''),
      );
    }
    const missing = repoFiles('examples', /\.ya?ml$/).filter(
      (file) => !shown.some((block) => block.shows === file) && !readme.includes(`](${file})`),
    );
    expect(missing).toEqual([]);
  });
});

describe('our own workflows', () => {
  const ours = repoFiles('.github/workflows', /\.ya?ml$/).map((file) => ({
    file,
    text: readRepoFile(file),
  }));

  test('pin every third-party action to a full commit SHA, with its tag beside it', () => {
    const unpinned = ours.flatMap(({ file, text }) =>
      [...text.matchAll(/^\s*-?\s*uses:\s*(\S+)(.*)$/gm)]
        .filter(([, uses]) => !uses?.startsWith('./'))
        .filter(([, uses, rest]) => !/@[0-9a-f]{40}$/.test(uses ?? '') || !/# v\d/.test(rest ?? ''))
        .map(([line]) => `${file}: ${line?.trim()}`),
    );
    expect(unpinned).toEqual([]);
  });

  test('check out without leaving the token in .git/config', () => {
    const checkouts = ours.flatMap(({ file, text }) => {
      const workflow = parse(text) as { jobs: Record<string, { steps?: StepShape[] }> };
      return Object.values(workflow.jobs).flatMap((job) =>
        (job.steps ?? [])
          .filter((step) => step.uses?.startsWith('actions/checkout@'))
          .map((step) => ({ file, persist: step.with?.['persist-credentials'] })),
      );
    });
    expect(checkouts.length).toBeGreaterThan(0);
    for (const checkout of checkouts) expect(checkout).toEqual({ ...checkout, persist: false });
  });
});

interface StepShape {
  uses?: string;
  with?: Record<string, unknown>;
}
