/**
 * Whether a span of the original text sits inside a link: a URL, a host name or an e-mail address.
 *
 * Pinyin is everywhere in Chinese host names and paths (mp.weixin.qq.com, taobao, zhihu): a pinyin spelling
 * of a term found there is the name of a site, not someone spelling the term out, so the matcher drops
 * pinyin candidates inside links (the link detector judges the link itself). Only ever asked about a pinyin
 * candidate, which is rare, so this reads the text around the span rather than keeping any state.
 *
 * The span is inside a link when the run of URL characters around it (ASCII letters, digits and URL
 * punctuation; white space and Chinese end it) holds `://` or starts with `www.`, or when the span continues
 * a host label, path segment or address: a `.`, `/` or `@` right next to it with a letter or digit beyond.
 * A spelling whose own separators are dots (`wei.xin`, `jia.wei.xin`) is not a link by itself: the dots lie
 * inside the span, and nothing continues past its ends.
 */

/** URL characters of RFC 3986 (unreserved, reserved and `%`), by code unit below 0x80. */
const URL_CHAR = new Uint8Array(0x80);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%") {
  URL_CHAR[ch.charCodeAt(0)] = 1;
}

const isUrlChar = (code: number): boolean => code < 0x80 && URL_CHAR[code] === 1;

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** `.`, `/` or `@`: what joins the parts of a host, a path or an address. */
const isLinkJoin = (code: number): boolean => code === 0x2e || code === 0x2f || code === 0x40;

export function insideLink(text: string, start: number, end: number): boolean {
  let from = start;
  while (from > 0 && isUrlChar(text.charCodeAt(from - 1))) from--;
  let to = end;
  while (to < text.length && isUrlChar(text.charCodeAt(to))) to++;
  if (from === start && to === end) return false;
  if (
    start - from >= 2 &&
    isLinkJoin(text.charCodeAt(start - 1)) &&
    isAlphanumeric(text.charCodeAt(start - 2))
  )
    return true;
  if (to - end >= 2 && isLinkJoin(text.charCodeAt(end)) && isAlphanumeric(text.charCodeAt(end + 1)))
    return true;
  const scheme = text.indexOf('://', from);
  if (scheme >= 0 && scheme + 3 <= to) return true;
  return to - from > 4 && text.slice(from, from + 4).toLowerCase() === 'www.';
}
