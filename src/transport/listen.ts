import type { Server } from 'node:net';
import { ConfigError } from '../contracts/errors.js';

/**
 * Starts `server` on host:port. A port that is taken or not allowed (EADDRINUSE, EACCES, a bad host) is a
 * configuration problem, so it becomes a ConfigError naming the setting to change (`field`) instead of a
 * raw socket error with a stack trace.
 */
export function listenOn(server: Server, port: number, host: string, field: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        new ConfigError('CONFIG_INVALID', field, `cannot listen on ${host}:${port}: ${e.code ?? e.message}`),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
