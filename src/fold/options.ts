import type { FolderOptions } from './types.js';

/** The folder's options with every default filled in: everything on (the one place that says so). */
export function resolveFolderOptions(options: FolderOptions = {}): Required<FolderOptions> {
  return {
    width: options.width ?? true,
    case: options.case ?? true,
    traditional: options.traditional ?? true,
    lookalike: options.lookalike ?? true,
    leet: options.leet ?? true,
    repeats: options.repeats ?? true,
  };
}
