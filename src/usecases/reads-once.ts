/**
 * Reads kept by key for the length of a batch: each key is read once until it is forgotten, and a read that fails is
 * forgotten at once, so the next caller asks the store again instead of getting the old failure.
 */
export class ReadsOnce<T> {
  readonly #reads = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    let read = this.#reads.get(key);
    if (!read) {
      read = load();
      this.#reads.set(key, read);
      read.catch(() => this.#reads.delete(key));
    }
    return read;
  }

  /** What was read for `key`, if it was (without reading). */
  readIfAny(key: string): Promise<T> | undefined {
    return this.#reads.get(key);
  }

  forget(key: string): void {
    this.#reads.delete(key);
  }
}
