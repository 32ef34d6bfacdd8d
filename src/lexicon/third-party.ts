/**
 * Which category a third-party word list belongs to, from its file name. Our own files are named after the
 * category (`ads.txt`); third-party lists are not, so their names are mapped here. The exact names of the
 * Konsheng Sensitive-lexicon `Vocabulary/` files come first (its files mix topics, so this is a best effort
 * documented in docs/lexicons.md), then keyword rules that fit most Chinese word-list collections. A file
 * that matches nothing is skipped with an UNKNOWN_FILE warning; load it with an explicit category instead.
 */
import type { Category } from '../contracts/types.js';
import { CATEGORIES } from '../contracts/types.js';

/** Konsheng/Sensitive-lexicon `Vocabulary/*.txt`, by file name without `.txt`. */
export const KONSHENG_CATEGORIES: Readonly<Record<string, Category>> = {
  'COVID-19词库': 'rumor',
  GFW补充词库: 'political',
  其他词库: 'political',
  反动词库: 'political',
  广告类型: 'ads',
  政治类型: 'political',
  新思想启蒙: 'political',
  暴恐词库: 'violence',
  民生词库: 'political',
  涉枪涉爆: 'illegal',
  网易前端过滤敏感词库: 'political',
  色情类型: 'porn',
  色情词库: 'porn',
  补充词库: 'political',
  贪腐词库: 'political',
  '零时-Tencent': 'political',
  非法网址: 'phishing',
};

/** Keyword → category for other lists, first match wins (more specific keywords first). */
const KEYWORD_CATEGORIES: readonly (readonly [RegExp, Category])[] = [
  [/网址|域名|url|domain|phish|钓鱼/i, 'phishing'],
  [/色情|黄色|porn|sex|adult|成人/i, 'porn'],
  [/赌|博彩|gambl/i, 'gambling'],
  [/枪|爆炸|毒品|违法|犯罪|诈骗|illegal|drug|weapon/i, 'illegal'],
  [/暴恐|暴力|恐怖|violen|terror/i, 'violence'],
  [/广告|营销|引流|spam|ads?\b|advert/i, 'ads'],
  [/辱骂|脏话|侮辱|谩骂|abuse|insult|profan|swear/i, 'abuse'],
  [/谣言|rumou?r|covid|疫情/i, 'rumor'],
  [/政治|反动|涉政|politic/i, 'political'],
  [/机密|secret/i, 'secret'],
  [/隐私|privacy/i, 'privacy'],
];

/** `ads.txt` → ads; a known third-party name → its category; else a keyword rule; else undefined. */
export function categoryForFileName(baseName: string): Category | undefined {
  const name = baseName.replace(/\.txt$/i, '');
  const lower = name.toLowerCase();
  if ((CATEGORIES as readonly string[]).includes(lower)) return lower as Category;
  const known = KONSHENG_CATEGORIES[name];
  if (known) return known;
  for (const [pattern, category] of KEYWORD_CATEGORIES) if (pattern.test(name)) return category;
  return undefined;
}
