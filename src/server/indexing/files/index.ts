/**
 * @file Which files of a workspace folder are indexed: path rules (settings, ignore files, built-ins),
 * the walk that applies them, and content checks after a file is read.
 */
export { FileRules } from './fileRules';
export { classifyContent } from './content';
export { BINARY_EXTENSIONS, BUILT_IN_FOLDERS, LOCK_FILES, MINIFIED_SUFFIXES } from './builtins';
export { sizeReason } from './reasons';
export { readCandidateFile, workspaceEntryKind } from './readFile';
export { DEFAULT_FILE_RULES_CONFIG, type FileRulesConfig, type FoundFile, type SkipListener, type SkipReason } from './types';
