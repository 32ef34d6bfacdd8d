import type { Attachment } from '../../contracts/types.js';
import type { OneBotSegment } from './types.js';

/** What a message's segments amount to in message v1. */
export interface SegmentContent {
  text: string;
  mentions: string[];
  attachments: Attachment[];
  replyTo?: string;
}

const URL_IN_TEXT = /https?:\/\/[^\s"'<>\\]+/g;
const MAX_CARD_URLS = 20;

/**
 * Segments → text, mentions, attachments and replyTo (docs/adapters.md has the table):
 *   text → its text; at → a mention (`all` for @全体成员) and `@name` when the bot reports the name
 *   (`@全体成员` for @all);
 *   reply → replyTo `platform:groupId:id`; face/image/record/video/file/… → attachments;
 *   share/json/xml/location/markdown → attachments AND their visible text and links, since cards and
 *   mini-program shares are a favourite way to slip an ad past a text filter.
 * Faces and images add nothing to the text, so `傻[表情]逼` reads as one word, as a person reads it.
 */
export function segmentsToContent(
  segments: readonly OneBotSegment[],
  platform: string,
  groupId: string,
): SegmentContent {
  let text = '';
  const mentions: string[] = [];
  const attachments: Attachment[] = [];
  let replyTo: string | undefined;
  const appendBlock = (block: string) => {
    const b = block.trim();
    if (!b) return;
    text += (text && !text.endsWith('\n') ? '\n' : '') + b;
  };

  for (const seg of segments) {
    const d = seg.data ?? {};
    switch (seg.type) {
      case 'text':
        text += str(d.text);
        break;
      case 'at': {
        const qq = str(d.qq);
        if (qq) {
          const id = qq === 'all' ? 'all' : qq;
          if (!mentions.includes(id)) mentions.push(id);
        }
        // QQ shows @全体成员 for @all; other mentions show a name only when the bot reports it (the QQ
        // number itself is not text a person typed, and digits would look like a phone number).
        const name = str(d.name);
        if (name) text += name.startsWith('@') ? name : '@' + name;
        else if (qq === 'all') text += '@全体成员';
        break;
      }
      case 'reply': {
        const id = str(d.id);
        if (id) replyTo = `${platform}:${groupId}:${id}`;
        break;
      }
      case 'face':
        attachments.push(attach('face', d, ['id']));
        break;
      case 'mface':
        attachments.push(attach('sticker', d, ['emoji_id', 'emoji_package_id', 'summary']));
        break;
      case 'image': {
        const a = attach('image', d, ['file', 'summary']);
        if (String(d.sub_type ?? d.subType ?? '') === '1') a.sticker = true;
        attachments.push(a);
        break;
      }
      case 'record':
        attachments.push(attach('audio', d, ['file']));
        break;
      case 'video':
        attachments.push(attach('video', d, ['file']));
        break;
      case 'file':
        attachments.push(attach('file', d, ['file', 'name', 'file_id', 'file_size']));
        break;
      case 'share':
        appendBlock([str(d.title), str(d.content), str(d.url)].filter(Boolean).join(' '));
        attachments.push(attach('share', d, ['title']));
        break;
      case 'location':
        appendBlock([str(d.title), str(d.content)].filter(Boolean).join(' '));
        attachments.push(attach('location', d, ['lat', 'lon', 'title']));
        break;
      case 'json': {
        const { prompt, urls } = readJsonCard(str(d.data));
        appendBlock([prompt, ...urls].filter(Boolean).join(' '));
        attachments.push({ kind: 'card', format: 'json', ...(urls[0] ? { url: urls[0] } : {}) });
        break;
      }
      case 'xml': {
        const xml = str(d.data);
        const urls = uniqueUrls(xml);
        const brief = /brief="([^"]*)"/.exec(xml)?.[1] ?? '';
        appendBlock([brief, ...urls].filter(Boolean).join(' '));
        attachments.push({ kind: 'card', format: 'xml', ...(urls[0] ? { url: urls[0] } : {}) });
        break;
      }
      case 'markdown':
        appendBlock(str(d.content));
        break;
      case 'forward':
        attachments.push(attach('forward', d, ['id']));
        break;
      case 'music':
        attachments.push(attach('music', d, ['type', 'id', 'title']));
        break;
      case 'contact':
        attachments.push(attach('contact', d, ['type', 'id']));
        break;
      default:
        // poke, dice, rps, shake, anonymous, node, and anything an implementation adds: kept as a kind.
        if (seg.type) attachments.push({ kind: seg.type });
    }
  }
  const out: SegmentContent = { text, mentions, attachments };
  if (replyTo !== undefined) out.replyTo = replyTo;
  return out;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '';
}

/** An attachment of `kind` with the segment's http(s) url and the listed data fields (as strings). */
function attach(kind: string, d: Record<string, unknown>, fields: readonly string[]): Attachment {
  const a: Attachment = { kind };
  const url = str(d.url);
  if (/^https?:\/\//i.test(url)) a.url = url;
  for (const f of fields) {
    const v = str(d[f]);
    if (v) a[f] = v;
  }
  return a;
}

/** Mini-program and link cards: their prompt (`[QQ小程序]…`) and every link inside. */
function readJsonCard(data: string): { prompt: string; urls: string[] } {
  let prompt = '';
  const urls = new Set<string>();
  try {
    const walk = (v: unknown, depth: number): void => {
      if (depth > 8 || urls.size >= MAX_CARD_URLS) return;
      if (typeof v === 'string') {
        for (const u of uniqueUrls(v)) urls.add(u);
      } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
    };
    const doc = JSON.parse(data) as { prompt?: unknown };
    if (typeof doc.prompt === 'string') prompt = doc.prompt;
    walk(doc, 0);
  } catch {
    for (const u of uniqueUrls(data)) urls.add(u);
  }
  return { prompt, urls: [...urls].slice(0, MAX_CARD_URLS) };
}

function uniqueUrls(s: string): string[] {
  const found = s.match(URL_IN_TEXT) ?? [];
  return [...new Set(found.map((u) => u.replace(/&amp;/g, '&')))].slice(0, MAX_CARD_URLS);
}
