import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../log/logger.js';

export interface ReloadWatchOptions {
  lexiconDirs: string[];
  /** Allow-list files given apart from the directories (`--allow FILE`): part of the lexicon too. */
  allowFiles?: string[];
  policyFile: string | null;
  watchLexicons: boolean;
  watchPolicy: boolean;
  onChange: (what: { lexicon: boolean; policy: boolean }) => void;
  logger: Logger;
  /** Editors write files in several steps: changes within this window are one reload. */
  debounceMs?: number;
}

/**
 * Watches lexicon directories and the policy file (through its directory, so editors that replace the
 * file by renaming are seen) and calls `onChange` once per burst of changes.
 */
export class ReloadWatcher {
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | null = null;
  #pending = { lexicon: false, policy: false };

  constructor(readonly options: ReloadWatchOptions) {
    const debounce = options.debounceMs ?? 250;
    const fire = (what: 'lexicon' | 'policy') => {
      this.#pending[what] = true;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        const p = this.#pending;
        this.#pending = { lexicon: false, policy: false };
        this.#timer = null;
        options.onChange(p);
      }, debounce);
    };
    if (options.watchLexicons) {
      for (const dir of options.lexiconDirs) this.#watch(dir, () => fire('lexicon'));
      for (const file of options.allowFiles ?? []) this.#watchFile(file, () => fire('lexicon'));
    }
    if (options.watchPolicy && options.policyFile) {
      this.#watchFile(options.policyFile, () => fire('policy'));
    }
  }

  /** One file, through its directory (editors replace files by renaming, Kubernetes swaps `..data`). */
  #watchFile(path: string, cb: () => void): void {
    const file = resolve(path);
    const name = basename(file);
    this.#watch(dirname(file), (changed) => {
      // Kubernetes mounts a ConfigMap as symlinks through `..data`, which an update swaps to a new
      // directory: the events name `..data`, never the file.
      if (!changed || changed === name || changed.startsWith('..data')) cb();
    });
  }

  #watch(path: string, cb: (file: string | null) => void): void {
    try {
      const w = watch(path, { persistent: false }, (_event, file) => cb(file ? String(file) : null));
      w.on('error', (e) =>
        this.options.logger.warn({ err: e, path }, 'file watch failed; SIGHUP still reloads'),
      );
      this.#watchers.push(w);
    } catch (e) {
      this.options.logger.warn({ err: e, path }, 'cannot watch for changes; SIGHUP still reloads');
    }
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#watchers) w.close();
    this.#watchers.length = 0;
  }
}
