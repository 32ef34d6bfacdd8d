import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { CompiledPolicy, PolicyCompiler } from './compile.js';
import { PolicyError, type PolicyPath } from './policy-error.js';

/**
 * Policy files: YAML text → compiled policy. YAML syntax errors and validation problems both end up in one
 * PolicyError naming the file and, where known, the line of each problem.
 */

/** Parses and compiles policy YAML. `source` names the file in errors. */
export function parsePolicy(
  text: string,
  source = 'policy',
  compiler: PolicyCompiler = new PolicyCompiler(),
): CompiledPolicy {
  const lines = new LineCounter();
  // Merge keys (`<<: *base`) let hundreds of groups share one block, kept under an `x-` field (schema.ts).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return {
          path: '',
          segments: [],
          message: `YAML syntax error at line ${line}, column ${col}: ${e.message}`,
          line,
        };
      }),
      source,
    );
  }
  const locate = (segments: PolicyPath): number | undefined => {
    // The line of the field's key (or list item); a field that is missing points at its parent.
    for (let n = segments.length; n > 0; n--) {
      const parent = n === 1 ? doc.contents : doc.getIn(segments.slice(0, n - 1), true);
      const seg = segments[n - 1];
      let node: unknown;
      if (isMap(parent))
        node = parent.items.find((pair) => isScalar(pair.key) && pair.key.value === seg)?.key;
      else if (isSeq(parent) && typeof seg === 'number') node = parent.items[seg];
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    const root = doc.contents;
    return isNode(root) && root.range ? lines.linePos(root.range[0]).line : undefined;
  };
  return compiler.compile(doc.toJS({ maxAliasCount: 100 }), { source, locate });
}

/** Reads, parses and compiles a policy file. */
export async function loadPolicyFile(
  path: string,
  compiler: PolicyCompiler = new PolicyCompiler(),
): Promise<CompiledPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PolicyError(
      [{ path: '', segments: [], message: `cannot read policy file: ${(e as Error).message}` }],
      path,
    );
  }
  return parsePolicy(text, path, compiler);
}
