/** Text folding: normalisation with a map back to original UTF-16 offsets (see docs/folding.md). */
export { createFolder } from './folder.js';
export { resolveFolderOptions } from './options.js';
export { createFoldBuffer, growFoldBuffer } from './buffer.js';
export { evasionBit, evasionNames } from './evasions.js';
export {
  EV_CASE,
  EV_HOMOPHONE,
  EV_INVISIBLE,
  EV_LEET,
  EV_LOOKALIKE,
  EV_PINYIN,
  EV_REPEATS,
  EV_SEPARATORS,
  EV_TRADITIONAL,
  EV_WIDTH,
  FLAG_MARKED,
  GAP_HARD,
  GAP_NONE,
  GAP_SOFT,
  GAP_SPACE,
} from './types.js';
export type { FoldBuffer, FoldedTerm, Folder, FolderOptions } from './types.js';
