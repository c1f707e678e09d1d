// Job facts: a title ("Works as a nurse") and an employer ("Works at Acme"),
// and the role and employer named in any order after a verb of work ("as a
// product manager at a startup", "at Canva as a designer").

import { fact } from './facts.js';
import type { CandidateFact, Intent } from './intents.js';
import { assert } from './facts.js';
import { INDUSTRIES, JOB_STATUSES, JOBS, NATIONALITIES } from './lexicon.js';
import { tag } from './nlp.js';
import { withArticle } from './rule.js';
import { cutTail, inClass, properCase, wordCount } from './values.js';

/** A job title; `lenient` takes any short noun phrase (after "promoted to"), else the head must be a known job. */
export function titleFact(rawTitle: string, lenient = false): CandidateFact | null {
  const title = cutTail(rawTitle)
    .replace(/\s+(?:in|on|near|from|based in|during|for|since|with)\s+.*$/i, '')
    .replace(/^(?:a|an|the)\s+/i, '')
    .replace(/\s+(?:by (?:trade|profession)|full[- ]time|part[- ]time)$/i, '');
  if (title === '' || wordCount(title) > 5) return null;
  const status = JOB_STATUSES.get(title.toLowerCase()) ?? JOB_STATUSES.get(`a ${title.toLowerCase()}`);
  if (status) return fact('title', status, title);
  const words = title.toLowerCase().split(/\s+/);
  const head = words[words.length - 1] ?? '';
  const headPair = words.slice(-2).join(' ');
  const known =
    JOBS.has(head) ||
    JOBS.has(headPair) ||
    /^(?:head|director|vp|chief) of\b/i.test(title) ||
    inClass(title.replace(/\s+(?:at|of)\s.*$/i, ''), 'job');
  // After "as" in a job phrase any noun is a role ("a teller", "a shift manager"); elsewhere the head must be a known job.
  if (!known && !(lenient && tag(title).at(-1)?.pos === 'NOUN')) return null;
  // "working as", "trying to": an -ing word first is a verb, unless the head is a known job ("a planning officer",
  // "a marketing manager", "a teaching assistant").
  const [first = '', second = ''] = title.split(/\s+/);
  const verbFirst = /ing$/i.test(first) && (!known || /^(?:a|an|the|my|some|as|at|in|on|for)$/i.test(second));
  if (verbFirst || /\bto\b/i.test(title)) return null;
  const hobby = ['keen', 'avid', 'amateur', 'hobby', 'passionate', 'weekend', 'recreational'];
  // "I'm his best man", "I'm their carer": a role towards someone else is no job title.
  const owned = ['my', 'your', 'his', 'her', 'their', 'our', 'its'];
  if (words.some((w) => ['not', 'big', 'huge', 'fan', 'bit', 'lot', ...owned, ...hobby].includes(w))) return null;
  if (NATIONALITIES.has(title.toLowerCase())) return null;
  const acronym = /^(?:ceo|cto|cfo|coo|cmo|cio|vp|cpo|ciso)$/i.test(title);
  const shown = acronym ? title.toUpperCase() : title;
  return fact('title', acronym ? `Works as ${shown}` : `Works as ${withArticle(shown)}`, title);
}

export function companyFact(raw: string, verb = 'Works at'): CandidateFact | null {
  // "a little roastery called Ember": the employer is the name after the description.
  const named =
    /^(?:a|an|the|this)\s.*?\s(?:called|named)\s+(\p{Lu}[\p{L}\d&.'-]*(?:\s+(?:\p{Lu}[\p{L}\d&.'-]*|&)){0,3})/u.exec(
      raw,
    );
  const company = named ? named[1]! : cutTail(raw);
  if (company === '' || wordCount(company) > 6) return null;
  // "for 11 years", "for two months now": how long, not for whom.
  if (
    /^(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|many|several)\s+(?:years?|months?|weeks?|days?|decades?)\b/i.test(
      company,
    )
  )
    return null;
  if (
    /^(?:home|myself|a living|free|night|nights|weekends|the moment|it|this|that|them|him|her|you|my|our|his|their)\b/i.test(
      company,
    )
  )
    return null;
  // "the firm", "the company": a reference back to an employer named elsewhere, not its name.
  if (
    /^the (?:firm|company|office|job|place|agency|business|startup|store|shop|organi[sz]ation|practice|same \w+)$/i.test(
      company,
    )
  )
    return null;
  return fact(
    'company',
    `${verb} ${/\p{Lu}/u.test(company) || /^(?:a|an|the)\s/i.test(company) ? company : properCase(company)}`,
    company.replace(/^(?:a|an|the)\s+/i, ''),
  );
}

export function jobFacts(title: string | undefined, company: string | undefined, lenient = false): Intent[] {
  const out: Intent[] = [];
  if (company) {
    const c = companyFact(company);
    if (c) out.push(assert(c));
  }
  if (title) {
    const t = titleFact(title, lenient);
    if (t) out.push(assert(t));
  }
  return out;
}

/**
 * The role and the employer after a verb of work, in either order: "as a
 * product manager at a startup", "at Canva as a designer", "for Acme".
 */
export function roleAndEmployer(phrase: string): { title?: string; company?: string } {
  const out: { title?: string; company?: string } = {};
  for (const m of ` ${phrase}`.matchAll(/\s(as|at|for|with|in)\s+(.+?)(?=\s+(?:as|at|for|with|in)\s+|$)/gi)) {
    const value = m[2]!.trim();
    const kind = m[1]!.toLowerCase();
    if (kind === 'as') out.title ??= value;
    // "in a warehouse" is a workplace; "in London" or "in finance" is not an employer.
    else if (kind !== 'in' || /^(?:a|an)\s/i.test(value)) out.company ??= value;
  }
  return out;
}

/** The job facts a role-and-employer phrase names. */
export function roleFacts(phrase: string, lenient = false): Intent[] {
  const { title, company } = roleAndEmployer(phrase);
  return jobFacts(title, company, lenient);
}

/** Words of time that end an employer's name ("at Oatly last month"). */
const TIME_WORDS =
  /^(?:last|next|this|since|ago|now|today|yesterday|tomorrow|recently|currently|week|month|year|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$/i;

/** What follows "at" or "for" when it names a post, not who offers it. */
const NOT_EMPLOYER = /\b(?:job|jobs|position|positions|role|roles|gig|career|opportunity|internship|placement|work)$/i;

/**
 * The role and employer of a first-person clause read by part of speech,
 * wherever they stand and whatever lies between ("I work as a nurse on the
 * night shift at St Mary's", "Started a new role as head of marketing at
 * Oatly last month"): the noun phrase after "as" and the named or
 * indefinite noun phrase after "at", "for" or "with" ("for my mum" and
 * "with friends" are no employer). The caller decides whether one alone is
 * enough.
 */
export function jobFrame(clause: string): Intent[] {
  const tokens = tag(clause);
  if (tokens[0]?.lower !== 'i') return [];
  let title: string | undefined;
  let company: string | undefined;
  let industry: string | undefined;
  for (let i = 1; i < tokens.length - 1; i++) {
    const word = tokens[i]!.lower;
    if (word !== 'as' && word !== 'at' && word !== 'for' && word !== 'with' && word !== 'in') continue;
    let j = i + 1;
    const phrase: string[] = [];
    while (j < tokens.length) {
      const t = tokens[j]!;
      const inPhrase =
        /^(?:DET|ADJ|NOUN|PROPN|NUM)$/.test(t.pos) ||
        (t.lower === 'of' && word === 'as' && /^(?:NOUN|PROPN)$/.test(tokens[j + 1]?.pos ?? '')) ||
        (t.text === "'s" && word !== 'as') ||
        (t.text === '&' && word !== 'as') ||
        // "a little roastery called Ember": the name goes with the employer.
        (/^(?:called|named)$/.test(t.lower) && word !== 'as' && tokens[j + 1]?.pos === 'PROPN');
      if (!inPhrase || (phrase.length > 0 && TIME_WORDS.test(t.lower))) break;
      phrase.push(t.text === "'s" ? "'s" : ` ${t.text}`);
      j++;
    }
    const value = phrase.join('').trim();
    if (value === '') continue;
    // "a project manager in construction": a field the lexicon knows.
    if (word === 'in') {
      const field = value.replace(/^the\s+/i, '').replace(/\s+(?:industry|sector|field)$/i, '');
      if (INDUSTRIES.has(field.toLowerCase())) industry ??= field;
      continue;
    }
    if (word === 'as') title ??= value;
    // "looking for a new job", "on the hunt for a better role": the job itself is no employer.
    else if (NOT_EMPLOYER.test(value)) continue;
    else if (/^(?:a|an)\s/i.test(value) || tokens.slice(i + 1, j).some((t) => t.pos === 'PROPN')) company ??= value;
  }
  const t = title ? titleFact(title, true) : null;
  const c = company ? companyFact(company) : null;
  const field = industry ? [assert(fact('industry', `Works in ${industry}`, industry))] : [];
  return [...(t ? [assert(t)] : []), ...(c ? [assert(c)] : []), ...field];
}
