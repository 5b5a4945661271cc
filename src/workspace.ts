/** Files the inputs name: always inside the workspace, never outside it. */
import { readFile } from 'node:fs/promises';
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
      if (!found.has(path)) found.set(path, { name: basename(path), path });
    }
  }
  return [...found.values()];
}

export async function readWorkspaceFile(file: WorkspaceFile): Promise<Buffer> {
  return readFile(file.path);
}
