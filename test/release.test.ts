/** What the release workflow relies on: a changelog section for the version, as the notes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/action.js';

const script = join(repoRoot, 'scripts/release-notes.mjs');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};

describe('release notes', () => {
  it("come from CHANGELOG.md's section for package.json's version", () => {
    const notes = execFileSync(process.execPath, [script, `v${version}`], { encoding: 'utf8' });
    expect(notes.trim().length).toBeGreaterThan(0);
    expect(notes).not.toMatch(/^## /m);
    expect(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8')).toContain(notes.trim());
  });

  it('stop a release whose version has no section', () => {
    const run = spawnSync(process.execPath, [script, 'v0.0.0-none'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'CHANGELOG.md has no "## 0.0.0-none" section: add the release\'s notes.',
    );
  });
});
