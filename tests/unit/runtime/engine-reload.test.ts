import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Engine } from '../../../src/runtime/engine.js';

describe('Engine.reload: a broken lexicon file keeps the old lexicon', () => {
  it('a list saved in GBK (not UTF-8) or unreadable is refused on reload, not swapped in without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-reload-'));
    writeFileSync(join(dir, 'ads.txt'), '代开发票\n');
    const config = loadConfig({ env: {}, overrides: { lexicons: { dirs: [dir] } } });
    const engine = await Engine.create({ config, logger: silentLogger() });
    try {
      const judge = async (n: number) => {
        const [o] = await engine.pipeline.judge([
          {
            raw: JSON.stringify({
              id: `qq:1:${n}`,
              platform: 'qq',
              groupId: '1',
              userId: `u${n}`,
              text: '代开发票',
              ts: 1,
            }),
            source: {},
          },
        ]);
        assert.equal(o.kind, 'verdict');
        return o.kind === 'verdict' ? o.verdict : null;
      };
      const before = await judge(1);
      assert.equal(before!.reasons[0]?.rule, 'ads:代开发票');
      // 代开发票 in GBK: every byte pair is invalid UTF-8.
      writeFileSync(
        join(dir, 'ads.txt'),
        Buffer.from([0xb4, 0xfa, 0xbf, 0xaa, 0xb7, 0xa2, 0xc6, 0xb1, 0x0a]),
      );
      await engine.reload({ lexicon: true });
      const after = await judge(2);
      assert.equal(after!.lexiconVersion, before!.lexiconVersion, 'the old lexicon is kept');
      assert.equal(after!.reasons[0]?.rule, 'ads:代开发票');
    } finally {
      await engine.close();
    }
  });
});
