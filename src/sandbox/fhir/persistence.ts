import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RepositoryState } from './store.js';

/** The default data file of a sandbox server: `<dataDir>/<name>.json`. */
export function sandboxDataFile(dataDir: string, name: 'ehr' | 'lw'): string {
  return path.join(dataDir, `${name}.json`);
}

/** Reads a saved state, or undefined when the file does not exist yet. */
export async function loadState(file: string): Promise<RepositoryState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as RepositoryState;
}

/**
 * Saves state after writes, at most once per `debounceMs`, atomically (temp file + rename, so a
 * crash leaves the previous file intact). `capture` runs when the write happens, so a burst of
 * writes costs one save of the latest state.
 */
export class DebouncedStateWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastError: unknown;

  constructor(
    private readonly file: string,
    private readonly capture: () => Promise<RepositoryState>,
    private readonly debounceMs = 250,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, this.debounceMs);
  }

  /** Writes any scheduled state now and waits until it is on disk; rethrows the last write error. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.writeNow();
    }
    await this.writing;
    if (this.lastError) {
      const err = this.lastError;
      this.lastError = undefined;
      throw err;
    }
  }

  /** Writes immediately, after any write in progress. */
  writeNow(): Promise<void> {
    this.writing = this.writing.then(async () => {
      try {
        const state = await this.capture();
        await mkdir(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(state));
        await rename(tmp, this.file);
      } catch (err) {
        this.lastError = err;
      }
    });
    return this.writing;
  }
}
