/** @file The word-level diff lives in src/shared/wordDiff.ts (the extension shows it too); re-exported for the sidecar. */
export * from '../../shared/wordDiff';
