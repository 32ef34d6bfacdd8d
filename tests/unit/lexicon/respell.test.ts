import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFoldBuffer } from '../../../src/fold/index.js';
import { FLAG_SPELLED } from '../../../src/fold/types.js';
import { SyllableRespeller } from '../../../src/lexicon/respell.js';
import { folder, tables } from './helpers.js';

const respeller = new SyllableRespeller(tables);

/** The respelled view of `text` as `unit@start:end` (syllables as `[pinyin]`), or null when there is none. */
function view(text: string): string[] | null {
  const buf = folder.fold(text, createFoldBuffer(4));
  const out = createFoldBuffer(4);
  if (!respeller.respell(buf, out)) return null;
  const units: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const code = out.codes[i];
    const spelled = (out.flags[i] & FLAG_SPELLED) !== 0;
    const shown = spelled ? `[${tables.syllables[tables.syllableOf[code]]}]` : String.fromCharCode(code);
    units.push(`${shown}@${out.start[i]}:${out.end[i]}${out.gap[i] !== 0 ? `/gap${out.gap[i]}` : ''}`);
  }
  return units;
}

describe('respelled view (mixed pinyin)', () => {
  it('turns each pinyin word glued to Chinese into one unit per syllable, spanning its letters', () => {
    assert.deepEqual(view('约pao吗'), ['约@0:1', '[pao]@1:4', '吗@4:5']);
    assert.deepEqual(view('jia微信'), ['[jia]@0:3', '微@3:4', '信@4:5']);
    assert.deepEqual(view('代kaizeng值'), ['代@0:1', '[kai]@1:4', '[zeng]@4:8', '值@8:9']);
  });

  it('respells every pinyin word once one is glued, keeping the gaps before words', () => {
    assert.deepEqual(view('jia wei信'), ['[jia]@0:3', '[wei]@4:7/gap2', '信@7:8']);
  });

  it('reads nothing when no pinyin word is glued to Chinese', () => {
    assert.equal(view('约 pao'), null); // set off by a space
    assert.equal(view('jiaweixin'), null); // no Chinese: pinyin patterns handle it
    assert.equal(view('今天today改了'), null); // not syllables
    assert.equal(view('约pao2'), null); // glued to a digit
    assert.equal(view('约p'), null); // one letter
    assert.equal(view('好的'), null);
  });

  it('splits into the fewest syllables, longer ones first on a tie', () => {
    assert.deepEqual(view('pingan好'), ['[ping]@0:4', '[an]@4:6', '好@6:7']);
    assert.deepEqual(view('xian好'), ['[xian]@0:4', '好@4:5']);
  });

  it('reads a repeat as written when that splits, else once', () => {
    assert.deepEqual(view('ganni娘'), ['[gan]@0:4', '[ni]@2:5', '娘@5:6']); // n×2 shared by gan and ni
    assert.deepEqual(view('约paooo'), ['约@0:1', '[pao]@1:6']);
  });

  it('leaves text without letters glued to other scripts to the folder’s hint', () => {
    const buf = folder.fold('今天 meeting 改了', createFoldBuffer(4));
    assert.equal(buf.lettersGlued, false);
    assert.equal(folder.fold('约pao', buf).lettersGlued, true);
    assert.equal(folder.fold('ok吗', buf).lettersGlued, true);
    assert.equal(folder.fold('3点开会', buf).lettersGlued, false);
  });
});
