/**
 * Matching through two folding fixes: look-alikes read before compatibility folding (lunate sigma ϲ is a c,
 * though NFKC makes it ς), and regional variants that are also simplified characters (著 stays 著 in 著名, yet
 * Taiwan's 躺著 still matches the term 躺着).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brief, folder, lexiconOf } from './helpers.js';

describe('folding fixes, seen through the matcher', () => {
  it('matches a Latin term written with Greek lunate sigma', () => {
    const lexicon = lexiconOf([['fuck', 'abuse']]);
    assert.deepEqual(brief(lexicon, 'fuϲk you'), ['abuse:fuck|fuϲk|lookalike']);
    assert.deepEqual(brief(lexicon, 'FUϹK'), ['abuse:fuck|FUϹK|case+lookalike']);
  });

  it('keeps 著 a simplified character: 著名 is not folded to 着名 and reports no evasion', () => {
    const lexicon = lexiconOf([
      ['名人', 'rumor'],
      ['著名骗子', 'rumor'],
      ['睡着', 'porn'],
    ]);
    assert.deepEqual(brief(lexicon, '那个著名骗子又来了'), ['rumor:著名骗子|著名骗子|']);
    assert.deepEqual(brief(lexicon, '著名人物'), ['rumor:名人|名人|']);
    // A term with 着 is also spelled with 著 (Taiwan's spelling), so it matches either.
    assert.deepEqual(brief(lexicon, '他睡著了'), ['porn:睡着|睡著|']);
  });

  it('still matches a term with 着 in Taiwan spelling (躺著) as well as in simplified text', () => {
    assert.equal(folder.keptVariants.get('著'.codePointAt(0)!), '着'.codePointAt(0));
    const lexicon = lexiconOf([['躺着赚钱', 'ads']]);
    assert.deepEqual(brief(lexicon, '群里有人发：躺著賺錢，大家注意'), ['ads:躺着赚钱|躺著賺錢|traditional']);
    assert.deepEqual(brief(lexicon, '躺着赚钱的好项目'), ['ads:躺着赚钱|躺着赚钱|']);
    assert.deepEqual(brief(lexicon, '躺著赚钱'), ['ads:躺着赚钱|躺著赚钱|']);
  });
});
