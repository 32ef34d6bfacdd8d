/**
 * `createDetectors`: the link, PII and mention detectors behind one `detect(message, out)`. Options are
 * validated and compiled here, once; `detect` makes one pass over the text to see which trigger characters
 * it holds (a digit, a dot, an @, a colon) and runs only the scanners that could find something.
 */
import type { Message, Reason } from '../contracts/types.js';
import { textFeatures } from './features.js';
import { LinkDetector, resolveLinkOptions } from './links/link-detector.js';
import { MentionDetector, resolveMentionOptions } from './mentions/mention-detector.js';
import { objectOf } from './options.js';
import { PiiDetector, resolvePiiOptions } from './pii/pii-detector.js';
import type { DetectorOptions, Detectors } from './types.js';

class CombinedDetectors implements Detectors {
  readonly #links: LinkDetector | undefined;
  readonly #pii: PiiDetector | undefined;
  readonly #mentions: MentionDetector | undefined;
  readonly enabled: Readonly<{ links: boolean; pii: boolean; mentions: boolean }>;

  constructor(
    links: LinkDetector | undefined,
    pii: PiiDetector | undefined,
    mentions: MentionDetector | undefined,
  ) {
    this.#links = links;
    this.#pii = pii;
    this.#mentions = mentions;
    this.enabled = Object.freeze({ links: !!links, pii: !!pii, mentions: !!mentions });
  }

  detect(message: Message, out: Reason[]): void {
    const text = typeof message.text === 'string' ? message.text : '';
    const features = textFeatures(text);
    this.#links?.scan(text, features, out);
    this.#pii?.scan(text, features, out);
    this.#mentions?.scan(message, text, features, out);
  }
}

/**
 * Builds the detectors from `options` (typed, or straight from the `detectors:` section of a config file,
 * whose dotted `path` error messages then name). Throws ConfigError('CONFIG_INVALID') naming the field when
 * an option is unknown or malformed.
 */
export function createDetectors(options?: DetectorOptions): Detectors;
export function createDetectors(options: Readonly<Record<string, unknown>>, path?: string): Detectors;
export function createDetectors(options: unknown = {}, path = 'detectors'): Detectors {
  const raw = objectOf(options, path, ['links', 'pii', 'mentions']);
  const links = resolveLinkOptions(raw.links, `${path}.links`);
  const pii = resolvePiiOptions(raw.pii, `${path}.pii`);
  const mentions = resolveMentionOptions(raw.mentions, `${path}.mentions`);
  return new CombinedDetectors(
    links.enabled ? new LinkDetector(links) : undefined,
    pii.enabled ? new PiiDetector(pii) : undefined,
    mentions.enabled ? new MentionDetector(mentions) : undefined,
  );
}
