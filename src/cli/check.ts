import { createReadStream, createWriteStream } from 'node:fs';
import type { ReadStream, WriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { BatchJudge, IncomingRecord } from '../pipeline/types.js';
import { hrNow } from '../pipeline/records.js';
import { JsonLinesEncoder } from '../transport/json-lines.js';
import { ConfigError, ModstreamError } from '../contracts/errors.js';
import { lineBatches, watchOutput, writeWithBackpressure } from '../transport/lines.js';

/** Verdict and reason fields whose string values repeat from line to line: encoded once (json-lines.ts). */
const REPEATED_VALUE_KEYS = [
  'platform',
  'action',
  'policy',
  'lexiconVersion',
  'detector',
  'category',
  'rule',
  'code',
];

export interface CheckOptions {
  input: Readable;
  output: Writable;
  /** Each line is the raw text of a message (`echo 加我薇信 | modstream check --text`). */
  textMode: boolean;
  batchSize: number;
  judge: BatchJudge;
  /** Longest line read in full, in bytes (the record size limit); longer ones become OVERSIZE. */
  maxLineBytes?: number;
}

export interface CheckSummary {
  lines: number;
  verdicts: number;
  errors: number;
  byAction: Record<string, number>;
  byErrorCode: Record<string, number>;
  seconds: number;
  /** The output was closed by its reader (`check | head`): the run stopped there, quietly. */
  outputClosed?: boolean;
}

/**
 * `modstream check`: exactly one JSON line out per line in, in order — a verdict, or
 * `{"error":{"code","message"},"line":N}` for a line that cannot be judged. Bad lines never stop the run.
 */
export async function runCheck(o: CheckOptions): Promise<CheckSummary> {
  const started = hrNow();
  const summary: CheckSummary = {
    lines: 0,
    verdicts: 0,
    errors: 0,
    byAction: {},
    byErrorCode: {},
    seconds: 0,
  };
  let seq = 0;
  // One JSON line per outcome, encoded straight to UTF-8 (the same bytes as JSON.stringify + '\n').
  const encoder = new JsonLinesEncoder({ repeatedValueKeys: REPEATED_VALUE_KEYS });
  const output = watchOutput(o.output);
  for await (const { lines, firstLine, oversize } of lineBatches(o.input, o.batchSize, o.maxLineBytes)) {
    const receivedAt = hrNow();
    const records: IncomingRecord[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const lineNo = firstLine + i;
      const oversizeBytes = oversize?.get(i);
      records[i] =
        oversizeBytes === undefined
          ? {
              // Text mode wraps a decoded line; bytes that are not UTF-8 go to the decoder as they are.
              raw: o.textMode && typeof line === 'string' ? textMessage(line, ++seq, lineNo) : line,
              source: { line: lineNo },
              receivedAt,
            }
          : { raw: line, source: { line: lineNo }, receivedAt, oversizeBytes };
    }
    const outcomes = await o.judge.judge(records);
    for (let i = 0; i < outcomes.length; i++) {
      const oc = outcomes[i]!;
      if (oc.kind === 'verdict') {
        summary.verdicts++;
        summary.byAction[oc.verdict.action] = (summary.byAction[oc.verdict.action] ?? 0) + 1;
        encoder.writeLine(oc.verdict);
      } else {
        summary.errors++;
        const code = oc.error.error.code;
        summary.byErrorCode[code] = (summary.byErrorCode[code] ?? 0) + 1;
        encoder.writeLine({ error: oc.error.error, line: firstLine + i });
      }
    }
    summary.lines += lines.length;
    const wait = writeWithBackpressure(o.output, encoder.take());
    if (wait) await wait;
    if (output.failed()) break;
  }
  output.dispose();
  const failed = output.failed();
  if (failed) {
    if (failed.code !== 'EPIPE')
      throw new ModstreamError('OUTPUT_FAILED', `cannot write the output: ${failed.message}`, {
        cause: failed,
      });
    summary.outputClosed = true;
    o.input.destroy();
  }
  summary.seconds = (hrNow() - started) / 1000;
  return summary;
}

/**
 * `--text` mode: wraps a raw line as a message. Each line gets its own sender, so lines are judged
 * independently (no ladder or flood across lines); JSONL input carries real senders and is stateful.
 */
function textMessage(text: string, seq: number, lineNo: number): string {
  return JSON.stringify({
    v: 1,
    id: `cli:check:${seq}`,
    platform: 'cli',
    groupId: 'check',
    userId: `line-${lineNo}`,
    text,
    ts: Date.now(),
  });
}

/** `--input`: stdin, or a file opened before anything else starts, so a bad path is a usage error. */
export async function openInput(path: string | undefined): Promise<Readable> {
  if (!path || path === '-') return process.stdin;
  return opened(createReadStream(path, { highWaterMark: 1 << 20 }), '--input', 'cannot be read');
}

/** `--output`: stdout, or a file opened (created) before anything else starts. */
export async function openOutput(path: string | undefined): Promise<Writable> {
  if (!path || path === '-') return process.stdout;
  return opened(createWriteStream(path), '--output', 'cannot be written');
}

/** A file opened for appending before anything else starts (`run --stdin --errors FILE`). */
export async function openAppend(path: string, flag: string): Promise<WriteStream> {
  return opened(createWriteStream(path, { flags: 'a' }), flag, 'cannot be written');
}

function opened<T extends ReadStream | WriteStream>(stream: T, flag: string, what: string): Promise<T> {
  const events = stream as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    events.once('ready', () => resolve(stream));
    events.once('error', (e: Error) => reject(new ConfigError('USAGE', flag, `${what}: ${e.message}`)));
  });
}

export function formatSummary(s: CheckSummary): string {
  const actions = Object.entries(s.byAction)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const errors = Object.entries(s.byErrorCode)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const rate = s.seconds > 0 ? Math.round(s.lines / s.seconds) : s.lines;
  const stopped = s.outputClosed ? '; stopped: the output was closed' : '';
  return `modstream check: ${s.lines} lines, ${s.verdicts} verdicts (${actions || 'none'}), ${s.errors} errors${errors ? ` (${errors})` : ''} in ${s.seconds.toFixed(2)} s (${rate} lines/s)${stopped}`;
}
