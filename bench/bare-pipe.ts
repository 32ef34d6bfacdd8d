/**
 * The "bare pipe" baseline of the CLI benchmark (issue 2): JSON parse + @monyone/aho-corasick/fast match +
 * one JSON line out per message, nothing else. `modstream check` should be at least as fast as a whole
 * process.
 *
 *   node --import tsx bench/bare-pipe.ts --lexicon DIR --input messages.jsonl --output out.jsonl
 *
 * The lexicon directory is read like `modstream check --lexicon DIR` reads it (terms only: `#` comments,
 * blank lines and TAB attribute tails skipped, allow.txt ignored).
 */
import { createReadStream, createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AhoCorasick } from '@monyone/aho-corasick/fast';

function readTerms(dir: string): string[] {
  const terms = new Set<string>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.txt') || file === 'allow.txt') continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split(/\r?\n/)) {
      const term = line.split('\t')[0].trim();
      if (term.length > 0 && !term.startsWith('#')) terms.add(term);
    }
  }
  return [...terms];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { lexicon: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' } },
  });
  if (!values.lexicon || !values.input || !values.output) {
    throw new Error('usage: bare-pipe.ts --lexicon DIR --input FILE --output FILE');
  }
  const matcher = new AhoCorasick(readTerms(values.lexicon));
  const output = createWriteStream(values.output);
  const lines = createInterface({ input: createReadStream(values.input), crlfDelay: Infinity });
  // Batched writes, as any reasonable line-oriented tool would do.
  let batch: string[] = [];
  let count = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    const message = JSON.parse(line) as { id: string; text: string };
    const matches = matcher.matchInText(message.text);
    batch.push(JSON.stringify({ messageId: message.id, matches }));
    count++;
    if (batch.length === 1024) {
      if (!output.write(batch.join('\n') + '\n'))
        await new Promise<void>((resolve) => output.once('drain', () => resolve()));
      batch = [];
    }
  }
  if (batch.length > 0) output.write(batch.join('\n') + '\n');
  await new Promise<void>((resolve, reject) =>
    output.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  process.stderr.write(`bare pipe: ${count} messages\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
