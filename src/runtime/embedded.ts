import type { AddressInfo } from 'node:net';
import type { ModstreamConfig } from '../config/types.js';
import type { ErrorRecord } from '../contracts/types.js';
import { createRejectedRecordLog, type Logger } from '../log/logger.js';
import { instrumentHttpServer } from '../metrics/http.js';
import type { ModstreamMetrics } from '../metrics/metrics.js';
import { hrNow } from '../pipeline/records.js';
import type { IncomingRecord } from '../pipeline/types.js';
import { EmbeddedHttpServer } from '../transport/embedded/http-server.js';
import { SerialExecutor } from '../transport/embedded/serial.js';
import { VerdictHub } from '../transport/embedded/verdict-hub.js';
import {
  finishOutput,
  lineBatches,
  watchOutput,
  writeWithBackpressure,
  type OutputWatch,
} from '../transport/lines.js';
import type { Engine } from './engine.js';

export interface EmbeddedRunner {
  /** HTTP mode: where the API listens. */
  address: AddressInfo | null;
  hub: VerdictHub;
  /** Resolves when the runner has stopped by itself (stdin mode: end of input). */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Logs error records at most 10 lines a second; counts every one. */
function errorSink(logger: Logger, metrics: ModstreamMetrics | null) {
  const log = createRejectedRecordLog(logger, 10);
  return (record: ErrorRecord) => {
    metrics?.pipeline.dlq(record.error.code);
    log({ code: record.error.code, message: record.error.message, source: record.source });
  };
}

/** `modstream run` without Kafka: the HTTP API (default) serving the same pipeline in one process. */
export async function startEmbeddedHttp(o: {
  config: ModstreamConfig;
  engine: Engine;
  logger: Logger;
  metrics: ModstreamMetrics | null;
}): Promise<EmbeddedRunner> {
  const hub = new VerdictHub();
  const executor = new SerialExecutor();
  const onError = errorSink(o.logger, o.metrics);
  if (o.logger.isLevelEnabled('debug')) hub.subscribe((v) => o.logger.debug({ verdict: v }, 'verdict'));
  const server = new EmbeddedHttpServer({
    host: o.config.http.host,
    port: o.config.http.port,
    judge: o.engine.pipeline,
    executor,
    hub,
    logger: o.logger,
    maxBodyBytes: o.config.http.maxBodyBytes,
    requestTimeoutMs: o.config.http.requestTimeoutMs,
    sseMaxClients: o.config.http.sseMaxClients,
    sseBufferVerdicts: o.config.http.sseBufferVerdicts,
    maxPendingRequests: o.config.http.maxPendingRequests,
    maxQueuedBytes: o.config.http.maxQueuedBytes,
    readiness: () => {
      const checks = o.engine.readiness();
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
    metrics: o.config.metrics.enabled && o.metrics ? () => o.metrics!.expose() : undefined,
    onErrorRecord: onError,
  });
  if (o.metrics) instrumentHttpServer(server.server, o.metrics.http);
  const address = await server.listen();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  return {
    address,
    hub,
    done,
    close: async () => {
      await server.close();
      await executor.drain();
      resolveDone();
    },
  };
}

/**
 * `modstream run --stdin`: NDJSON messages in, verdicts out on stdout (one line each, in order), error
 * records on stderr or `--errors FILE`. Ends when the input ends.
 */
export function startEmbeddedStdin(o: {
  config: ModstreamConfig;
  engine: Engine;
  logger: Logger;
  metrics: ModstreamMetrics | null;
  input?: NodeJS.ReadableStream & import('node:stream').Readable;
  output?: NodeJS.WritableStream;
  /** Where error records go (an open file, see `run --stdin --errors`); stderr when absent. */
  errorsOutput?: import('node:fs').WriteStream | null;
}): EmbeddedRunner {
  const hub = new VerdictHub();
  const input = o.input ?? process.stdin;
  const out = o.output ?? process.stdout;
  const errOut: NodeJS.WritableStream = o.errorsOutput ?? process.stderr;
  let stopping = false;
  const run = async () => {
    const { batchSize, maxRecordBytes } = o.config.limits;
    // A reader that goes away (`run --stdin | head`) ends the run quietly; other output errors end it loudly.
    const output = watchOutput(out);
    const errors = watchOutput(errOut);
    try {
      await judgeLines(output, errors, batchSize, maxRecordBytes);
    } catch (e) {
      // close() destroys stdin to stop reading (Ctrl-C): the premature close that follows is the normal end.
      if (!(stopping && (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE')) throw e;
    }
    output.dispose();
    errors.dispose();
    const failed = output.failed() ?? errors.failed();
    if (failed?.code === 'EPIPE') o.logger.info({}, 'stdout closed by its reader: stopping');
    else if (failed) throw new Error(`cannot write the output: ${failed.message}`);
  };
  const judgeLines = async (
    output: OutputWatch,
    errors: OutputWatch,
    batchSize: number,
    maxRecordBytes: number,
  ) => {
    for await (const { lines, firstLine, oversize } of lineBatches(input, batchSize, maxRecordBytes)) {
      const receivedAt = hrNow();
      const records: IncomingRecord[] = lines.map((raw, i) => ({
        raw,
        source: { transport: 'stdin', line: firstLine + i },
        receivedAt,
        oversizeBytes: oversize?.get(i),
      }));
      const outcomes = await o.engine.pipeline.judge(records);
      let verdicts = '';
      let errorLines = '';
      for (const oc of outcomes) {
        if (oc.kind === 'verdict') {
          verdicts += JSON.stringify(oc.verdict) + '\n';
          hub.publish(oc.verdict);
        } else {
          o.metrics?.pipeline.dlq(oc.error.error.code);
          errorLines += JSON.stringify(oc.error) + '\n';
        }
      }
      if (errorLines) errOut.write(errorLines);
      const wait = writeWithBackpressure(out, verdicts);
      if (wait) await wait;
      if (stopping || output.failed() || errors.failed()) break;
    }
  };
  // A write to the --errors file that fails late (a full disk) fails the run rather than vanishing.
  const done = run().finally(() => (o.errorsOutput ? finishOutput(o.errorsOutput) : undefined));
  return {
    address: null,
    hub,
    done,
    close: async () => {
      stopping = true;
      input.destroy();
      await done.catch(() => {});
    },
  };
}
