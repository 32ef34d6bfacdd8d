/**
 * A processor in its own process, so a test can SIGKILL it mid-batch. argv[2]: JSON
 * { settings: KafkaSettingsInput, delayMs: number }. Prints "ready" once it has joined the group, and
 * "judged <n>" after each judge call (so the parent knows work is under way).
 */
import type { IncomingRecord, Outcome } from '../../../../src/pipeline/types.js';
import { KafkaStreamProcessor, type KafkaSettingsInput } from '../../../../src/transport/kafka/index.js';
import { EchoJudge } from '../echo-judge.js';

const { settings, delayMs } = JSON.parse(process.argv[2]) as {
  settings: KafkaSettingsInput;
  delayMs: number;
};
const echo = new EchoJudge({ delayMs });
let judged = 0;
const judge = {
  async judge(records: readonly IncomingRecord[]): Promise<Outcome[]> {
    const out = await echo.judge(records);
    judged += records.length;
    process.stdout.write(`judged ${judged}\n`);
    return out;
  },
};
const processor = new KafkaStreamProcessor({ judge, kafka: settings });
await processor.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void processor.stop().then(() => process.exit(0));
});
