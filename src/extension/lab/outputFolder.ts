/**
 * @file Where `adapt` writes from the folder the user picked: the picked folder itself when it is empty
 * (adapt refuses to overwrite anything), else a new dated folder inside it. Pure apart from one listing.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

export function adaptedFolderIn(picked: string, workspaceName: string, now: Date = new Date()): string {
  const st = lstatSync(picked, { throwIfNoEntry: false });
  if (st?.isDirectory() && !st.isSymbolicLink() && readdirSync(picked).length === 0) return picked;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safeName = workspaceName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'workspace';
  return join(picked, `t5-adapted-${safeName}-${stamp}`);
}

/** Whether `path` is `folder` or inside it. */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
