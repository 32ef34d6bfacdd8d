/**
 * The top-level domains a bare `name.tld` must end in to count as a domain. Not the whole root zone (1,400+
 * names, mostly brands nobody types in chat): the legacy gTLDs, every 2-letter ccTLD, the new gTLDs seen in
 * everyday links and the ones spammers favour (cheap registrations), and the IDN TLDs of the Chinese web.
 * A scheme URL (`https://…`) or `www.` link is judged even when its TLD is missing from this list.
 */

const LEGACY =
  'com net org edu gov mil int info biz name pro mobi asia tel travel jobs coop aero museum cat post xxx arpa';

// Every ISO 3166 country-code TLD in the root zone.
const COUNTRY =
  'ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt bv bw by bz ' +
  'ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr ' +
  'ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ' +
  'ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt ' +
  'mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru ' +
  'rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw ' +
  'tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw';

// New gTLDs common in links, and the cheap ones spam campaigns register in bulk.
const GENERIC =
  'top xyz club vip icu shop site online store tech app dev cloud live life link click win bid loan work fun ltd ' +
  'wang ren ink kim red pub run space website host press news blog email group team world today center company ' +
  'business services solutions digital media network global zone one best cool fit fans plus game games bet casino ' +
  'poker porn sex adult cam date dating love men party review racing download stream science trade webcam ' +
  'accountant cricket faith rest buzz guru rocks tips lol mom monster cyou cfd sbs beauty hair makeup quest bond ' +
  'skin help support market markets money cash finance loans credit tax gold fund capital exchange trading ' +
  'shopping sale deals bargains cheap discount coupons promo gift gifts inc llc xin cool studio design art ' +
  'agency photo photos pics pictures video tv movie film music social chat bio eco green city land house ' +
  'homes estate realty properties rent rentals car cars auto bike taxi tours holiday vacations travel flights ' +
  'hotel restaurant cafe bar pizza kitchen coffee wine beer vodka health care clinic doctor dental hospital ' +
  'fitness yoga golf football soccer tennis hockey rugby baseball basketball bingo lotto tickets events ' +
  'academy school college university education training courses study mba phd energy solar systems software ' +
  'computer network tools codes page today fyi wiki ninja rip sucks lgbt moe wtf uno vin vote voto ' +
  'ooo mba hiphop pink blue black gay kids baby family style fashion clothing shoes jewelry watch watches ' +
  'diamonds luxury boutique biz org global international works domains directory report review reviews ' +
  'forum community foundation charity gives ngo observer now new how you show page phone mobile ' +
  'security protection insurance lawyer legal attorney consulting management marketing media ventures ' +
  'enterprises industries holdings partners associates solutions supply supplies tools parts repair ' +
  'cleaning plumbing construction builders contractors engineering engineer technology tech today top';

// IDN TLDs of the Chinese web (and a few other common scripts), in Unicode form.
const IDN =
  '中国 中國 公司 网络 網絡 在线 中文网 网址 网店 商城 商标 集团 我爱你 移动 手机 游戏 企业 娱乐 信息 购物 时尚 ' +
  '商店 广东 佛山 联通 健康 招聘 香港 台湾 台灣 澳門 新加坡 政务 公益 рф онлайн сайт';

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

export const TLDS: ReadonlySet<string> = new Set([
  ...words(LEGACY),
  ...words(COUNTRY),
  ...words(GENERIC),
  ...words(IDN),
]);

/**
 * TLDs that are also file extensions (main.py, README.md, app.zip, id_rsa.pub, model.ai), code members
 * (user.name, obj.email, model.fit, el.click) or English words glued to the previous sentence (ok.so, me.too,
 * done.now). A BARE `name.tld` with one of these and nothing else making it a link (no scheme, `www.`, path or
 * port) is not treated as a link by the unknown/shortener rules. Allow/deny lists and look-alike checks still
 * see it.
 */
export const AMBIGUOUS_BARE_TLDS: ReadonlySet<string> = new Set(
  words(
    'py sh md rs pl pm so zip mov ai ps mk ml la ac mo gs tf sc st cl sv re do am in it is be to me my us as at by ' +
      'no id im mm mp bz ss now new one how you app pub name email link date group style phone run fit show ' +
      'host page click win download report team',
  ),
);

/** Second-level labels under a ccTLD that are public suffixes (company.com.cn, bbc.co.uk, a.ac.jp). */
export const SECOND_LEVEL_SUFFIXES: ReadonlySet<string> = new Set(
  words('com net org gov edu ac co or ne go gen ltd plc sch nic mil gob info biz'),
);

/** China's provincial second-level domains (company.bj.cn), also public suffixes. */
export const CN_PROVINCE_SUFFIXES: ReadonlySet<string> = new Set(
  words(
    'ah bj cq fj gd gs gx gz ha hb he hi hk hl hn jl js jx ln mo nm nx qh sc sd sh sn sx tj tw xj xz yn zj',
  ),
);

/** First code units of the CJK TLDs (中国 → 中): a dot before one of these may end a domain. */
export const CJK_TLD_INITIALS: ReadonlySet<number> = new Set(
  [...TLDS].filter((t) => t.charCodeAt(0) >= 0x3400).map((t) => t.charCodeAt(0)),
);
