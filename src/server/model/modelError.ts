/**
 * @file The one error type for "this model cannot be used": missing, corrupt or mismatched files.
 * Its message is shown to users as is, so it always names the file or setting and what was expected.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
}
