import type { Evasion } from '../../../src/contracts/types.js';
import { createFoldBuffer, evasionNames } from '../../../src/fold/index.js';
import type { FoldBuffer, Folder } from '../../../src/fold/index.js';

/** One folded unit, readable in assertions. */
export interface UnitView {
  /** The folded code unit as a string. */
  unit: string;
  /** The original text it came from (repeats included). */
  source: string;
  span: [number, number];
  gap: number;
  run: number;
  evasions: Evasion[];
}

const shared = createFoldBuffer(8);

export function view(folder: Folder, text: string, buf: FoldBuffer = shared): UnitView[] {
  folder.fold(text, buf);
  const out: UnitView[] = [];
  for (let i = 0; i < buf.length; i++) {
    out.push({
      unit: String.fromCharCode(buf.codes[i]),
      source: text.slice(buf.start[i], buf.end[i]),
      span: [buf.start[i], buf.end[i]],
      gap: buf.gap[i],
      run: buf.run[i],
      evasions: evasionNames(buf.flags[i]),
    });
  }
  return out;
}

/** The folded string (units concatenated). */
export function folded(folder: Folder, text: string): string {
  return folder.foldToString(text);
}

/** Gaps before each unit, as a compact string: `.` none, `s` soft, `_` space, `|` hard. */
export function gaps(folder: Folder, text: string): string {
  return view(folder, text)
    .map((u) => '.s_|'[u.gap])
    .join('');
}

/** Runs of each unit, e.g. [1, 3, 1, 1]. */
export function runs(folder: Folder, text: string): number[] {
  return view(folder, text).map((u) => u.run);
}

/** Union of the evasion names on all units. */
export function allEvasions(folder: Folder, text: string): Evasion[] {
  const names = new Set<Evasion>();
  for (const u of view(folder, text)) for (const e of u.evasions) names.add(e);
  return [...names].sort();
}

/** The original text a folded range [a, b) maps back to. */
export function mapBack(
  folder: Folder,
  text: string,
  a: number,
  b: number,
  buf: FoldBuffer = shared,
): string {
  folder.fold(text, buf);
  return text.slice(buf.start[a], buf.end[b - 1]);
}
