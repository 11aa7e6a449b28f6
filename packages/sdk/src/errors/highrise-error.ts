/** Base of every error this SDK throws, so `catch` can tell ours from everything else. */
export class HighriseError extends Error {
  override name = 'HighriseError';
}
