import type { Message } from '../../contracts/types.js';

export interface MessageGeneratorOptions {
  /** Same seed, same sequence (ids and texts; `ts` is the clock's). Default 1. */
  seed?: number;
  /** Stop after this many messages; default endless. */
  count?: number;
  platform?: string;
  /** Chat groups and users to spread messages over. */
  groups?: number;
  users?: number;
  /** Share of messages that break a rule (0..1). Default 0.1. */
  violationRate?: number;
  /** Clock for `ts`; default Date.now. */
  now?: () => number;
  /** Prefix for group ids, so parallel runs (tests) do not share groups. */
  groupPrefix?: string;
}

// Everyday chat, Chinese and English mixed, as in a company group.
const CLEAN = [
  '大家早上好，今天的周会改到下午三点',
  '收到，我这边没问题',
  '这个需求下周一之前能上线吗？',
  'PR 已经提了，麻烦帮忙 review 一下',
  'Thanks, the build is green now',
  '午饭一起吗？楼下新开了一家面馆',
  'Can someone share the slides from yesterday?',
  '体操比赛的视频我发群文件了',
  '操作手册在 wiki 上，链接见置顶',
  '好的👍',
  'meeting moved to 3pm, see calendar',
  '服务器重启完成，监控一切正常',
  '周五团建，报名请接龙',
  'LGTM, merging after CI passes',
];

// Things group rules forbid, some of them disguised the way spammers do.
const VIOLATIONS = [
  '加微信领取免费礼品',
  '加 薇 信 免费领取',
  '澳门线上赌场，充值就送',
  '兼职刷单日赚五百，私聊',
  '代开发票，量大从优',
  '点击领取补贴 http://xn--pple-43d.com/login',
  'free crypto giveaway at http://bit.ly/claim-now',
  '我的手机号 13812345678 有事打我',
  'contact me: spam.sender@example.com for cheap followers',
  '@全体成员 扫码进群领红包',
  '你这个傻逼',
  'you are an idiot',
];

/** mulberry32: tiny, fast, good enough for spreading test data; deterministic per seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Demo and benchmark traffic: message v1 objects spread over groups and users, mostly clean, a share
 * breaking rules. Message ids are `platform:groupId:n` with n counting per group, so they are unique and
 * show the per-group order.
 */
export function* generateMessages(options: MessageGeneratorOptions = {}): Generator<Message> {
  const random = mulberry32(options.seed ?? 1);
  const platform = options.platform ?? 'qq';
  const groups = Math.max(1, options.groups ?? 20);
  const users = Math.max(1, options.users ?? 200);
  const violationRate = Math.min(1, Math.max(0, options.violationRate ?? 0.1));
  const now = options.now ?? Date.now;
  const prefix = options.groupPrefix ?? '';
  const count = options.count ?? Infinity;
  const perGroup = new Array<number>(groups).fill(0);
  for (let i = 0; i < count; i++) {
    const g = Math.floor(random() * groups);
    const u = Math.floor(random() * users);
    const bad = random() < violationRate;
    const pool = bad ? VIOLATIONS : CLEAN;
    const text = pool[Math.floor(random() * pool.length)];
    const groupId = `${prefix}${900000 + g}`;
    const seq = ++perGroup[g];
    const message: Message = {
      v: 1,
      id: `${platform}:${groupId}:${seq}`,
      platform,
      groupId,
      userId: String(10000 + u),
      userName: `user${u}`,
      text,
      ts: now(),
    };
    if (text.startsWith('@全体成员')) message.mentions = ['all'];
    yield message;
  }
}
