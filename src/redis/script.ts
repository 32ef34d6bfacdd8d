import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import type { RedisClient } from './client.js';
import { isNoScriptError } from './errors.js';

export type ScriptArg = string | Buffer | number;

/**
 * One Lua script, read once (at start-up, by whoever constructs the store) and run with EVALSHA.
 * `load` puts it in the server's script cache ahead of the first batch (every master of a cluster); if the
 * server answers NOSCRIPT anyway (restarted, SCRIPT FLUSH, a new cluster node), `run` sends EVAL once,
 * which both runs the script and caches it again, so the next EVALSHA works. A script that got NOSCRIPT
 * did not run, so sending it again cannot apply anything twice.
 */
export class RedisScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
  #reloads = 0;

  constructor(name: string, source: string) {
    this.name = name;
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Reads a script file; `new URL('./x.lua', import.meta.url)` finds it beside the module (src/ or dist/). */
  static fromFile(url: URL): RedisScript {
    return new RedisScript(basename(fileURLToPath(url)), readFileSync(url, 'utf8'));
  }

  /** How often the server did not know the script and EVAL had to reload it. */
  get reloads(): number {
    return this.#reloads;
  }

  /** SCRIPT LOAD on the server, or on every master of a cluster. */
  async load(client: RedisClient): Promise<void> {
    const targets = client instanceof Cluster ? client.nodes('master') : [client];
    await Promise.all(targets.map((node) => node.script('LOAD', this.source)));
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!isNoScriptError(e)) throw e;
      this.#reloads++;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Loads `scripts` now if the client is ready, and again after every (re)connection: a restarted Redis has
 * an empty script cache, and loading it there beats a NOSCRIPT round trip on the first batch. Failures are
 * reported, never thrown: EVAL in `run` is the safety net. Returns a function that stops listening.
 */
export function keepScriptsLoaded(
  client: RedisClient,
  scripts: readonly RedisScript[],
  onError: (error: unknown, script: RedisScript) => void = () => {},
): () => void {
  const loadAll = () => {
    for (const s of scripts) s.load(client).catch((e: unknown) => onError(e, s));
  };
  if (client.status === 'ready') loadAll();
  client.on('ready', loadAll);
  return () => {
    client.off('ready', loadAll);
  };
}
