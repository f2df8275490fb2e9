/**
 * @file Paths as agents see them: relative to the workspace, prefixed with the folder's name when there
 * are several folders. Every path an agent gives is checked to stay inside a folder; answers only ever
 * carry paths made here from the index's own folder-relative paths.
 */
import { basename, isAbsolute, posix, relative, sep } from 'node:path';
import { ToolInputError } from '../../shared/agentTools';

export interface Located {
  folder: string;
  relPath: string;
}

export class WorkspacePaths {
  readonly names: string[];

  constructor(readonly folders: readonly string[]) {
    const seen = new Map<string, number>();
    this.names = folders.map((f) => {
      const base = basename(f) || 'root';
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return n === 1 ? base : `${base}-${n}`;
    });
  }

  /** The workspace-relative form of an indexed file. */
  display(folder: string, relPath: string): string {
    if (this.folders.length === 1) return relPath;
    const i = this.folders.indexOf(folder);
    return `${this.names[i] ?? basename(folder)}/${relPath}`;
  }

  /** An agent's path (workspace-relative, or absolute inside a folder) → folder and relative path; throws a ToolInputError naming the problem. */
  resolve(input: string): Located {
    if (/[\0\r\n]/.test(input)) throw new ToolInputError('path contains a control character.');
    if (isAbsolute(input)) {
      for (const folder of this.folders) {
        const rel = relative(folder, input);
        if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { folder, relPath: rel.split(sep).join('/') };
      }
      throw new ToolInputError(`path ${JSON.stringify(input)} is outside the workspace folders; give a path relative to the workspace.`);
    }
    const clean = posix.normalize(input.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (clean === '..' || clean.startsWith('../')) throw new ToolInputError(`path ${JSON.stringify(input)} leads outside the workspace ("..").`);
    if (clean === '.' || clean === '') throw new ToolInputError('path names the workspace itself; give a file.');
    if (this.folders.length === 1) return { folder: this.folders[0], relPath: clean };
    const slash = clean.indexOf('/');
    const i = this.names.indexOf(slash < 0 ? clean : clean.slice(0, slash));
    if (i < 0 || slash < 0) throw new ToolInputError(`path ${JSON.stringify(input)} must start with a folder name: one of ${this.names.join(', ')}.`);
    return { folder: this.folders[i], relPath: clean.slice(slash + 1) };
  }
}
