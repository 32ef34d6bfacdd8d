import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { insideLink } from '../../../src/lexicon/link-context.js';

/** insideLink on the first occurrence of `word` in `text`. */
function at(text: string, word: string): boolean {
  const start = text.indexOf(word);
  assert.ok(start >= 0, `${word} is in ${text}`);
  return insideLink(text, start, start + word.length);
}

describe('insideLink', () => {
  it('sees host labels, paths, URLs and addresses', () => {
    assert.equal(at('https://mp.weixin.qq.com/s/abc', 'weixin'), true);
    assert.equal(at('看mp.weixin.qq.com', 'weixin'), true); // Chinese right before the host
    assert.equal(at('weixin.qq.com', 'weixin'), true); // first label
    assert.equal(at('example.com/wangdu', 'wangdu'), true); // path segment
    assert.equal(at('https://example.com/?q=wangdu', 'wangdu'), true); // anywhere in a URL
    assert.equal(at('www.wangdu.com', 'wangdu'), true);
    assert.equal(at('weixin@example.com', 'weixin'), true); // address
  });

  it('leaves words alone, whatever punctuation ends them', () => {
    assert.equal(at('快来 jiaweixin 了解一下', 'jiaweixin'), false);
    assert.equal(at('jiaweixin', 'jiaweixin'), false);
    assert.equal(at('私聊我 wangdu.', 'wangdu'), false); // full stop, nothing after it
    assert.equal(at('wangdu...真的', 'wangdu'), false);
    assert.equal(at('jia.wei.xin', 'jia.wei.xin'), false); // the dots are inside the spelling
    assert.equal(at('(wangdu)', 'wangdu'), false);
    assert.equal(at('a/b wangdu', 'wangdu'), false); // a link elsewhere in the text does not count
  });

  it('judges only what surrounds the span: a word standing alone is never in a link (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        (a, w, b) => {
          const text = `${a} ${w} ${b}`;
          assert.equal(insideLink(text, a.length + 1, a.length + 1 + w.length), false);
        },
      ),
    );
  });
});
