import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, Reason } from '../../../src/contracts/types.js';

export const FAKE_WORKER = new URL('./fixtures/fake-worker.ts', import.meta.url);

/** A model directory that passes the start-up checks (the fake worker never reads the graph). */
export function fakeModelDir(
  labels: string[] = ['neutral', 'offensive'],
  extraConfig: Record<string, unknown> = {},
): { dir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'modstream-clf-'));
  const dir = join(root, 'fake-model');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', id2label, ...extraConfig }));
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({ version: '1.0', model: { type: 'WordPiece', vocab: {} } }),
  );
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 128 }));
  // ModelProto starts with field 1 (ir_version), tag 0x08.
  writeFileSync(
    join(dir, 'onnx', 'model.onnx'),
    Buffer.from([0x08, 0x07, 0x12, 0x07, ...Buffer.from('pytorch'), 0, 0, 0, 0, 0, 0, 0]),
  );
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

let seq = 0;
export function item(
  text: string,
  groupId = 'g1',
  reasons: Reason[] = [],
): { message: Message; reasons: Reason[] } {
  seq++;
  return {
    message: { id: `t:${seq}`, platform: 'test', groupId, userId: 'u1', text, ts: 1_764_000_000_000 + seq },
    reasons,
  };
}

export const LEXICON_REASON: Reason = {
  detector: 'lexicon',
  category: 'abuse',
  rule: 'abuse:傻逼',
  match: '傻逼',
  span: [0, 2],
  severity: 2,
};
