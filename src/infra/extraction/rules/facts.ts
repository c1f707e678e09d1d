// Building candidate facts: the slot, the canonical text and categories for
// each kind of value, shared by the statement rules.

import { DEFAULT_SLOTS, type DefaultSlotName } from '../../../domain/profile/default-profile.js';
import type { CandidateFact, Intent } from './intents.js';
import { MONTHS } from './lexicon.js';
// English only: the package's root loads every locale.
import * as chrono from 'chrono-node/en';
import { escapeRegExp, isActivity, isFood, isGame, isInstrument, isMusic, isSport } from './values.js';

export const CATEGORIES_OF_TOPIC: Record<string, string[]> = {
  basic_info: ['personal'],
  work: ['work'],
  education: ['education'],
  family: ['family', 'relationships'],
  pets: ['pets'],
  food: ['food', 'preferences'],
  interests: ['interests', 'preferences'],
  health: ['health'],
  psychological: ['personality'],
  life_event: ['life_event'],
};

const SLOT_CATEGORIES: Partial<Record<DefaultSlotName, string[]>> = {
  restrictions: ['food', 'diet'],
  diet: ['food', 'diet'],
  goals: ['goals'],
  plans: ['plans'],
  events: ['events'],
  values: ['values'],
  languages: ['personal', 'languages'],
};

export function fact(
  slot: DefaultSlotName,
  text: string,
  value: string,
  extra: Partial<Omit<CandidateFact, 'slot' | 'text' | 'value'>> = {},
): CandidateFact {
  const ref = DEFAULT_SLOTS[slot];
  return {
    slot: ref,
    text,
    value,
    categories: extra.categories ?? SLOT_CATEGORIES[slot] ?? CATEGORIES_OF_TOPIC[ref.topic] ?? [ref.topic],
    ...(extra.supersedes ? { supersedes: extra.supersedes } : {}),
    ...(extra.vague ? { vague: true } : {}),
    ...(extra.onlyReplaces ? { onlyReplaces: true } : {}),
  };
}

export const assert = (f: CandidateFact): Intent => ({ kind: 'assert', fact: f });

/** Matches a memory text (normalised: lower case, no punctuation) exactly. */
export function exactly(text: string): RegExp {
  return new RegExp(`^${escapeRegExp(normaliseText(text))}$`);
}

/** Lower case, punctuation to spaces, "The user ..." prefix dropped: the form memories are compared in. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^(?:the )?user (?=\p{L})/u, '');
}

// ---------------------------------------------------------------- likes

type Polarity = 'like' | 'dislike';

/** Gerunds of taking food in: what follows them is a taste, not a pastime. */
const CONSUMING = /^(?:eating|drinking|snacking|munching|having|tasting|sipping|trying|devouring)$/;

/** "Likes sushi" (food), "Likes jazz" (music), "Likes tennis" (sports), "Likes hiking" (hobbies), else interests. */
export function likeFact(item: string, polarity: Polarity): CandidateFact {
  const verb = polarity === 'like' ? 'Likes' : 'Dislikes';
  const other = polarity === 'like' ? 'Dislikes' : 'Likes';
  const text = `${verb} ${item}`;
  const supersedes = [exactly(`${other} ${item}`)];
  // "cooking Thai food", "baking bread": doing something with food is a pastime; "eating sushi" is a taste.
  const doing = /^(\p{Ll}{3,}ing)\s+\S/u.exec(item)?.[1];
  if (doing && isActivity(doing) && !CONSUMING.test(doing))
    return fact(polarity === 'like' ? 'hobbies' : 'dislikes', text, item, { supersedes });
  if (isFood(item)) return fact(polarity === 'like' ? 'foodLikes' : 'foodDislikes', text, item, { supersedes });
  if (polarity === 'dislike') return fact('dislikes', text, item, { supersedes });
  if (isMusic(item) || isInstrument(item)) return fact('music', text, item, { supersedes });
  if (isSport(item)) return fact('sports', text, item, { supersedes });
  if (isActivity(item) || isGame(item) || /^to /i.test(item)) return fact('hobbies', text, item, { supersedes });
  return fact('likes', text, item, { supersedes });
}

/** Slot of "my favorite <kind> is ...". */
export function favoriteSlot(kind: string): DefaultSlotName {
  const k = kind.toLowerCase();
  if (
    /\b(?:band|singer|artist|musician|song|album|music|genre|composer|rapper|group|dj|playlist|instrument)s?$/.test(k)
  )
    return 'music';
  if (/\b(?:book|author|novel|writer|poet|poem|comic|manga|series of books)s?$/.test(k)) return 'books';
  if (/\b(?:movie|film|show|tv show|series|director|actor|actress|anime|documentary|sitcom|character)s?$/.test(k))
    return 'movies';
  if (
    /\b(?:food|dish|meal|cuisine|drink|snack|dessert|fruit|vegetable|restaurant|beer|wine|coffee|tea|cocktail|flavou?r|cheese|candy|cake|breakfast|lunch|dinner|pizza|sandwich|soup|spice|ice cream|pastry|dessert)s?$/.test(
      k,
    )
  )
    return 'foodLikes';
  if (/\b(?:sport|team|club|player|athlete)s?$/.test(k) || isSport(k)) return 'sports';
  if (/\b(?:hobby|hobbies|pastime|activity)$/.test(k)) return 'hobbies';
  return 'likes';
}

// ---------------------------------------------------------------- dates

/** "May 3rd", "3 May 1990", "the 3rd of May", "today" -> { month, day, year? }. */
export function parseDate(text: string, now: Date): { month: number; day: number; year: number | null } | null {
  const t = text.toLowerCase().trim().replace(/,/g, ' ').replace(/\s+/g, ' ');
  if (/^today\b/.test(t)) return { month: now.getUTCMonth(), day: now.getUTCDate(), year: null };
  if (/^tomorrow\b/.test(t)) {
    const next = new Date(now.getTime() + 86_400_000);
    return { month: next.getUTCMonth(), day: next.getUTCDate(), year: null };
  }
  const month = `(${MONTHS.join('|')}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)`;
  const day = '(\\d{1,2})(?:st|nd|rd|th)?';
  const year = '(?: (\\d{4}))?';
  const monthIndex = (name: string) => MONTHS.findIndex((m) => m.startsWith(name.slice(0, 3)));
  let m = new RegExp(`^(?:on )?${month}\\.? (?:the )?${day}${year}\\b`).exec(t);
  if (m) return valid(monthIndex(m[1]!), Number(m[2]), m[3] ? Number(m[3]) : null);
  m = new RegExp(`^(?:on )?(?:the )?${day} (?:of )?${month}\\.?${year}\\b`).exec(t);
  if (m) return valid(monthIndex(m[2]!), Number(m[1]), m[3] ? Number(m[3]) : null);
  return null;
}

function valid(month: number, day: number, year: number | null) {
  if (month < 0 || day < 1 || day > 31) return null;
  if (year !== null && (year < 1900 || year > 2100)) return null;
  return { month, day, year };
}

export function formatDate(date: { month: number; day: number; year: number | null }): string {
  const name = MONTHS[date.month] ?? '';
  const monthName = name.charAt(0).toUpperCase() + name.slice(1);
  return date.year === null ? `${monthName} ${date.day}` : `${monthName} ${date.day}, ${date.year}`;
}

/** "June 2025": life events that happened "just now" are dated with the batch's time. */
export function monthYear(now: Date): string {
  const name = MONTHS[now.getUTCMonth()] ?? '';
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} ${now.getUTCFullYear()}`;
}

const SEASON_START: Record<string, number> = { spring: 2, summer: 5, fall: 8, autumn: 8, winter: 11 };
const MONTH_NAMES = MONTHS.join('|');

function addMonths(now: Date, months: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1));
}

/**
 * When a plan is for, made absolute so it does not go stale: "next year" ->
 * " in 2026", "next month" -> " in July 2025", "next summer" -> " in summer
 * 2025", "in May" -> " in May 2026"; '' when the clause names no such time.
 */
export function futureWhen(clause: string, now: Date): string {
  const year = now.getUTCFullYear();
  const c = clause.toLowerCase();
  if (/\bnext year\b/.test(c)) return ` in ${year + 1}`;
  if (/\bthis year\b/.test(c)) return ` in ${year}`;
  if (/\bnext month\b/.test(c)) return ` in ${monthYear(addMonths(now, 1))}`;
  const season = /\b(next|this|in the|in|over the|during the) (spring|summer|fall|autumn|winter)\b/.exec(c);
  if (season) {
    const start = SEASON_START[season[2]!] ?? 0;
    const seasonYear = season[1] === 'this' || now.getUTCMonth() < start ? year : year + 1;
    return ` in ${season[2]} ${seasonYear}`;
  }
  const explicitYear = /\bin ((?:19|20)\d{2})\b/.exec(c);
  if (explicitYear) return ` in ${explicitYear[1]}`;
  const month = new RegExp(`\\bin (${MONTH_NAMES})\\b`).exec(c);
  if (month) {
    const index = MONTHS.indexOf(month[1] as (typeof MONTHS)[number]);
    return ` in ${monthYear(new Date(Date.UTC(index > now.getUTCMonth() ? year : year + 1, index, 1)))}`;
  }
  const ahead = timeAhead(clause, now);
  return ahead ? ` in ${monthYear(ahead.date)}` : '';
}

/**
 * A time ahead that the patterns above do not name ("next June", "on Monday",
 * "in two weeks", "at the end of next year"), read by chrono-node: its date
 * and the words that said it, so a plan's text can drop them. A stretch
 * ("for three months", "since May") is no time ahead.
 */
export function timeAhead(clause: string, now: Date): { date: Date; said: string } | null {
  for (const found of chrono.parse(clause, now, { forwardDate: true })) {
    const before = clause.slice(0, found.index);
    if (/\b(?:for|since|until|till|ago)\s*$/i.test(before) || /^(?:for|since)\b/i.test(found.text)) continue;
    const date = found.start.date();
    if (date.getTime() <= now.getTime()) continue;
    // The words that lead into it belong to it: "next June", "on Monday", "at the end of".
    const lead =
      /(?:\s+(?:(?:in|on|at|by|from|around|before)\s+)?(?:the\s+)?(?:(?:next|this|coming)\s+)?)$/i.exec(before)?.[0] ??
      '';
    return { date, said: `${lead}${found.text}` };
  }
  return null;
}

/** Trailing time words a plan's verb phrase loses (futureWhen puts the time back, absolute). */
export const FUTURE_TIME_TAIL =
  /\s+(?:someday|one day|eventually|soon|in the future|in the near future|before I die|before I turn \d+|(?:this|next) (?:year|month|week|spring|summer|fall|autumn|winter)|in (?:the )?(?:spring|summer|fall|autumn|winter)|in (?:(?:19|20)\d{2}|january|february|march|april|may|june|july|august|september|october|november|december)|in a (?:few|couple of) (?:years|months|weeks))$/i;

/** A life event's text: "Got married (June 2025)" when recent, "Got married in 2010" when the year is given. */
export function eventText(base: string, clause: string, recent: boolean, now: Date): string {
  const c = clause.toLowerCase();
  const year = /\bin ((?:19|20)\d{2})\b/.exec(c)?.[1];
  if (year) return `${base} in ${year}`;
  if (/\blast year\b/.test(c)) return `${base} in ${now.getUTCFullYear() - 1}`;
  if (/\blast month\b/.test(c)) return `${base} (${monthYear(addMonths(now, -1))})`;
  return recent || /\bthis (?:year|month)\b/.test(c) ? `${base} (${monthYear(now)})` : base;
}
