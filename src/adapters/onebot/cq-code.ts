import type { OneBotSegment } from './types.js';

/**
 * CQ codes: the `string` message format of OneBot v11, e.g. `你好[CQ:at,qq=10001] [CQ:face,id=178]`.
 * In plain text `&`, `[` and `]` are escaped as `&amp;`, `&#91;`, `&#93;`; inside a code's values `,` is
 * also escaped, as `&#44;`. Parsing turns the string into the same segments as the `array` format, so
 * the mapping never needs to know which format the bot was configured with.
 */
export function parseCqString(message: string): OneBotSegment[] {
  const out: OneBotSegment[] = [];
  let i = 0;
  while (i < message.length) {
    const start = message.indexOf('[CQ:', i);
    if (start < 0) {
      pushText(out, message.slice(i));
      break;
    }
    const end = message.indexOf(']', start);
    if (end < 0) {
      // An unterminated code is text (a real `[` would have been escaped; be lenient anyway).
      pushText(out, message.slice(i));
      break;
    }
    if (start > i) pushText(out, message.slice(i, start));
    out.push(parseCode(message.slice(start + 4, end)));
    i = end + 1;
  }
  return out;
}

function parseCode(body: string): OneBotSegment {
  const parts = body.split(',');
  const type = parts[0].trim();
  const data: Record<string, unknown> = {};
  for (let k = 1; k < parts.length; k++) {
    const eq = parts[k].indexOf('=');
    if (eq < 0) continue;
    data[parts[k].slice(0, eq)] = unescapeCq(parts[k].slice(eq + 1));
  }
  return { type, data };
}

function pushText(out: OneBotSegment[], text: string): void {
  if (text.length === 0) return;
  out.push({ type: 'text', data: { text: unescapeCq(text) } });
}

export function unescapeCq(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&#44;/g, ',').replace(/&#91;/g, '[').replace(/&#93;/g, ']').replace(/&amp;/g, '&');
}

/** Escapes plain text for a CQ string (`auto_escape: false` messages); values also escape `,`. */
export function escapeCq(s: string, inValue = false): string {
  const t = s.replace(/&/g, '&amp;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;');
  return inValue ? t.replace(/,/g, '&#44;') : t;
}
