import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFolderOptions } from '../../../src/fold/options.js';
import {
  decodeFoldTables,
  encodeFoldTables,
  runtimeFingerprint,
  snapshotTables,
} from '../../../src/fold/snapshot.js';
import type { FoldTables } from '../../../src/fold/tables.js';
import { buildFoldTables } from '../../../src/fold/tables.js';
import { FOLD_TABLES_SNAPSHOT } from '../../../src/fold/tables-snapshot.js';

const REGENERATE = 'regenerate it with `node --import tsx scripts/fold-snapshot.ts`';

function assertSameTables(actual: FoldTables, expected: FoldTables, what: string): void {
  for (const plane of ['bmp', 'plane1'] as const) {
    const a = actual[plane];
    const e = expected[plane];
    assert.equal(a.length, e.length);
    for (let k = 0; k < e.length; k++) {
      if (a[k] !== e[k]) {
        assert.fail(
          `${what}: ${plane} entry ${k.toString(16)} is ${a[k] >>> 0}, built ${e[k] >>> 0}; ${REGENERATE}`,
        );
      }
    }
  }
  assert.deepEqual([...actual.astral], [...expected.astral], `${what}: astral entries; ${REGENERATE}`);
  assert.deepEqual(
    actual.expansions.map((u) => Array.from(u)),
    expected.expansions.map((u) => Array.from(u)),
    `${what}: expansions; ${REGENERATE}`,
  );
  assert.deepEqual(
    [...actual.keptVariants],
    [...expected.keptVariants],
    `${what}: kept variants; ${REGENERATE}`,
  );
}

describe('folding tables snapshot', () => {
  const defaults = resolveFolderOptions({});
  const built = buildFoldTables(defaults);

  it('encodes and decodes the tables exactly', () => {
    assertSameTables(decodeFoldTables(encodeFoldTables(built)), built, 'round trip');
  });

  it('holds exactly the tables this code builds (or is not used on this runtime)', (t) => {
    const snapshot = snapshotTables(defaults);
    if (FOLD_TABLES_SNAPSHOT.runtime !== runtimeFingerprint()) {
      assert.equal(snapshot, undefined, 'a snapshot from another runtime must not be used');
      t.skip(
        `snapshot made for "${FOLD_TABLES_SNAPSHOT.runtime}", this runtime is "${runtimeFingerprint()}": ` +
          `tables are built here; ${REGENERATE} on the runtime you deploy`,
      );
      return;
    }
    assert.ok(snapshot, 'the snapshot applies to this runtime');
    assertSameTables(snapshot, built, 'snapshot');
  });

  it('is used only for the default options and the runtime it was made for', () => {
    assert.equal(snapshotTables({ ...defaults, leet: false }), undefined);
    assert.equal(snapshotTables({ ...defaults, traditional: false }), undefined);
    assert.equal(snapshotTables(defaults, { ...FOLD_TABLES_SNAPSHOT, runtime: 'elsewhere' }), undefined);
    assert.equal(snapshotTables(defaults, { runtime: runtimeFingerprint(), data: '' }), undefined);
  });
});
