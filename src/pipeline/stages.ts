import type { StoreError } from '../contracts/errors.js';
import type { Message, Reason, Verdict } from '../contracts/types.js';
import type { FloodLimits } from '../flood/types.js';
import type { FoldBuffer } from '../fold/types.js';

/**
 * What the pipeline needs from each stage, stated structurally so stages stay independent of each other:
 * the pipeline is the only module that knows their order.
 */

/** Folding (src/fold): one pass into a reusable buffer. */
export interface FoldStage {
  fold(text: string, buf: FoldBuffer): FoldBuffer;
}

/** Lexicon matching over the folded text (src/lexicon). Synchronous and allocation-light. */
export interface LexiconStage {
  readonly version: string;
  readonly termCount: number;
  matchFolded(text: string, buf: FoldBuffer, out: Reason[]): void;
}

/** Links, personal data, mentions (src/detect). */
export interface DetectorStage {
  detect(message: Message, out: Reason[]): void;
}

/** A stable hash of the folded units, for duplicate and cross-group flood detection. */
export type FoldedHasher = (codes: Uint16Array, length: number) => string;

export interface PolicyDecision {
  action: Verdict['action'];
  deleteMessage: boolean;
  muteSeconds: number;
  notifyAdmins: boolean;
  strikes: number;
  dryRun: boolean;
  policy: string;
  reasons: Reason[];
  /** Set when the strike store failed and the policy fell back to `review`. */
  storeError?: { code: string; message: string };
}

/** The policy engine (src/policy) bound to a strike store. */
export interface PolicyStage {
  readonly id: string;
  /** Flood limits for the message's group; null when flood control is off there. */
  floodLimits(message: Message): FloodLimits | null;
  decide(batch: readonly { message: Message; reasons: Reason[] }[]): Promise<PolicyDecision[]>;
  /**
   * Optional: the decisions for a batch judged without its state (a store failed in fail-closed mode),
   * recording nothing — what `decide` answers when its strike store fails (PolicyEngine has it). Without
   * it the pipeline answers review without deletion.
   */
  decideDegraded?(
    batch: readonly { message: Message; reasons: Reason[] }[],
    error: StoreError,
  ): Promise<PolicyDecision[]>;
}

/** The optional classifier (src/classify): adds classifier reasons to the messages it scores. */
export interface ClassifierStage {
  classify(batch: readonly { message: Message; reasons: Reason[] }[]): Promise<void>;
}
