import { ConfigError } from '../contracts/errors.js';

/** A path into the policy document: property names and array indexes. */
export type PolicyPath = readonly (string | number)[];

/** One problem found in a policy: where, and what is wrong, e.g. `ladder[1].muteSeconds` `must be >= 0`. */
export interface PolicyProblem {
  /** The field, in the style `groups["qq:901234"].categories.ads.ladder[1].muteSeconds`. */
  path: string;
  segments: PolicyPath;
  message: string;
  /** 1-based line in the policy file, when it came from YAML and the line is known. */
  line?: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `['groups', 'qq:901234', 'categories', 'ads', 'ladder', 1, 'muteSeconds']` →
 * `groups["qq:901234"].categories.ads.ladder[1].muteSeconds`. Names that are not identifiers (group keys,
 * rule ids) are quoted in brackets; indexes go in brackets.
 */
export function formatPolicyPath(segments: PolicyPath): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * The policy was rejected. Its message lists every problem, `; `-separated, each as `<path> <message>`;
 * `problems` holds them one by one (with YAML lines when known) and `source` names the file.
 */
export class PolicyError extends ConfigError {
  readonly problems: readonly PolicyProblem[];
  readonly source: string | undefined;
  constructor(problems: readonly PolicyProblem[], source?: string) {
    const [first, ...rest] = problems;
    const tail = rest.map((p) => (p.path ? `${p.path} ${p.message}` : p.message));
    super('POLICY_INVALID', first.path, [first.message, ...tail].join('; '));
    this.name = 'PolicyError';
    this.problems = problems;
    this.source = source;
  }

  /** The problems one per line, each prefixed with `file:line` when known (for logs and the CLI). */
  describe(): string {
    return this.problems
      .map((p) => {
        const where = this.source ? `${this.source}${p.line ? `:${p.line}` : ''}: ` : '';
        return `${where}${p.path ? `${p.path} ` : ''}${p.message}`;
      })
      .join('\n');
  }
}
