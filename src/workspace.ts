/** Files the inputs name: always inside the workspace, never outside it. */
import { realpathSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { ActionError } from './errors.js';

/** Absolute path of a workspace-relative path; a path that leaves the workspace is an error. */
export function resolveInWorkspace(path: string, workspace: string, input: string): string {
  const absolute = resolve(workspace, path);
  const fromWorkspace = relative(workspace, absolute);
  if (fromWorkspace.startsWith('..') || isAbsolute(fromWorkspace)) {
    throw new ActionError(
      `${input} ${path} is outside the workspace: give a path inside the repository.`,
      {
        input,
      },
    );
  }
  return absolute;
}

/**
 * Throws unless the existing file at `path`, with every link followed, lies inside the
 * workspace: a symlink in a pull request's checkout must not make the action read a runner file.
 */
export function assertInsideWorkspace(path: string, workspace: string, input: string): void {
  const fromWorkspace = relative(realpathSync(workspace), realpathSync(path));
  if (fromWorkspace.startsWith('..') || isAbsolute(fromWorkspace)) {
    throw new ActionError(
      `${input} ${relative(workspace, path)} leads outside the workspace (through a link or ..): give a file inside the repository.`,
      { input },
    );
  }
}

export interface WorkspaceFile {
  name: string;
  path: string;
}

/** The files that the `files` patterns match, in pattern order, each once. */
export async function findWorkspaceFiles(
  patterns: string[],
  workspace: string,
): Promise<WorkspaceFile[]> {
  const { glob } = await import('tinyglobby');
  const found = new Map<string, WorkspaceFile>();
  for (const pattern of patterns) {
    resolveInWorkspace(pattern.replace(/[*?[{].*$/, ''), workspace, 'files');
    const matches = await glob(pattern, {
      cwd: workspace,
      absolute: true,
      onlyFiles: true,
      dot: false,
    });
    if (matches.length === 0) {
      throw new ActionError(`files pattern ${pattern} matches no file in the workspace.`, {
        input: 'files',
      });
    }
    for (const path of matches.sort()) {
      assertInsideWorkspace(path, workspace, 'files');
      if (!found.has(path)) found.set(path, { name: basename(path), path });
    }
  }
  return [...found.values()];
}
