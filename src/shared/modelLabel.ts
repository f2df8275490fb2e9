/**
 * @file How a model is named to a reader: `repo@commit` as is; a model folder, whose id is a content hash
 * (`local-sha256:…`), by its folder path (its legacy id) with the hash after it.
 */
export function modelLabel(info: { id: string; legacyIds?: readonly string[] }): string {
  const folder = info.legacyIds?.[0];
  return folder ? `${folder} (${info.id})` : info.id;
}
