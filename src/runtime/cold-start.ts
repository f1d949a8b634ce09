/** Build once per Lambda container; a failed build (e.g. a Secrets Manager hiccup) is retried on the next call. */
export function onceUntilFailure<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
