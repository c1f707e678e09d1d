// The profile slots memql ships with, in the spirit of Memobase's default
// profile: topics with sub-topics, a description that guides the extractor,
// and `singleValued` where a new value replaces the old one (UPDATE) rather
// than joining it. Plus the helpers the rest of the domain needs: find a slot,
// and validate a config before it is stored.
//
// There is deliberately no "contact" topic: the app already knows its users'
// e-mail and phone, and keeping them as free-text memories only widens what
// can leak. Religion, politics and sexual orientation have no slot either.

import type { ProfileConfig, ProfileSubTopic, ProfileTopicConfig } from '../types.js';

/** A topic/sub-topic pair, the address of a memory in the profile. */
export interface SlotRef {
  readonly topic: string;
  readonly subTopic: string;
}

function single(name: string, description: string): ProfileSubTopic {
  return { name, description, singleValued: true };
}

function multi(name: string, description: string): ProfileSubTopic {
  return { name, description, singleValued: false };
}

function topic(name: string, description: string, subTopics: ProfileSubTopic[]): ProfileTopicConfig {
  return { name, description, subTopics };
}

/** Blob tokens a user may store by default (Memobase's per-user cap); past it the oldest blobs are forgotten. */
export const DEFAULT_BLOB_TOKEN_CAP = 3_000_000;
/** The smallest cap a project may set: below it a single conversation would not fit. */
export const MIN_BLOB_TOKEN_CAP = 100;
/** The largest cap a project may set (a GraphQL Int, and far above any one user's need). */
export const MAX_BLOB_TOKEN_CAP = 1_000_000_000;

/** The profile used until a project saves its own (strict: false, so nothing is dropped). */
export const DEFAULT_PROFILE_CONFIG: ProfileConfig = deepFreeze({
  strict: false,
  blobTokenCap: DEFAULT_BLOB_TOKEN_CAP,
  topics: [
    topic('basic_info', 'Basic facts about the user', [
      single('name', "The user's name"),
      single('nickname', 'What the user prefers to be called'),
      single('age', "The user's age in years"),
      single('gender', "The user's gender"),
      single('pronouns', 'The pronouns the user goes by'),
      single('birthday', "The user's birthday or date of birth"),
      single('location', 'The city or place where the user currently lives'),
      single('origin', 'Where the user is from or grew up'),
      single('birthplace', 'Where the user was born'),
      multi('nationality', "The user's nationality or citizenship (can be several)"),
      multi('languages', 'Languages the user speaks, one per memory'),
    ]),
    topic('work', "The user's job and professional life", [
      single('company', 'The company or organisation the user works for'),
      single('title', "The user's job title or role (or student, retired, unemployed)"),
      single('industry', 'The industry or field the user works in'),
      multi('work_skills', 'Skills, tools and programming languages the user is good at'),
      multi('projects', 'Notable projects the user works or worked on'),
    ]),
    topic('education', "The user's education", [
      multi('school', 'Schools and universities the user attends or attended'),
      multi('degree', 'Degrees the user holds or is working towards'),
      multi('major', 'Subjects the user studies or studied'),
      multi('learning', 'Things the user is currently learning'),
    ]),
    topic('family', "The user's family", [
      single('partner', 'Marital status and partner (wife, husband, partner, ...)'),
      multi('children', "The user's children: how many, their names"),
      multi('parents', "The user's parents"),
      multi('siblings', "The user's brothers and sisters"),
    ]),
    topic('pets', "The user's pets", [
      multi('dogs', "The user's dogs"),
      multi('cats', "The user's cats"),
      multi('other_pets', 'Other pets: birds, fish, rabbits, ...'),
    ]),
    topic('food', 'What the user eats (allergies are kept under health)', [
      single('diet', 'The diet the user follows: vegetarian, vegan, keto, ...'),
      multi('restrictions', 'Foods and drinks the user avoids (no meat, no alcohol, ...)'),
      multi('likes', 'Foods, dishes and drinks the user likes'),
      multi('dislikes', 'Foods, dishes and drinks the user dislikes'),
    ]),
    topic('interests', "The user's hobbies and tastes", [
      multi('hobbies', 'Hobbies and pastimes'),
      multi('sports', 'Sports the user plays or follows'),
      multi('music', 'Music, bands and instruments'),
      multi('books', 'Books and authors'),
      multi('movies', 'Movies, shows and series'),
      multi('likes', 'Other things the user likes'),
      multi('dislikes', 'Other things the user dislikes'),
    ]),
    topic('health', "The user's health", [
      multi('allergies', 'Allergies and intolerances, food or otherwise'),
      multi('conditions', 'Health conditions the user mentions'),
    ]),
    topic('psychological', "The user's personality and outlook", [
      multi('personality', 'Personality traits'),
      multi('values', 'What the user values or believes in'),
      multi('goals', 'What the user wants to achieve'),
    ]),
    topic('life_event', "Plans and events in the user's life", [
      multi('plans', 'Concrete plans: a move, a trip, a race'),
      multi('events', 'Recent events: marriage, a new job, a baby'),
    ]),
  ],
});

/** The default slots by role, so the extractor never spells a slot name twice. */
export const DEFAULT_SLOTS = {
  name: { topic: 'basic_info', subTopic: 'name' },
  nickname: { topic: 'basic_info', subTopic: 'nickname' },
  age: { topic: 'basic_info', subTopic: 'age' },
  gender: { topic: 'basic_info', subTopic: 'gender' },
  pronouns: { topic: 'basic_info', subTopic: 'pronouns' },
  birthday: { topic: 'basic_info', subTopic: 'birthday' },
  location: { topic: 'basic_info', subTopic: 'location' },
  origin: { topic: 'basic_info', subTopic: 'origin' },
  birthplace: { topic: 'basic_info', subTopic: 'birthplace' },
  nationality: { topic: 'basic_info', subTopic: 'nationality' },
  languages: { topic: 'basic_info', subTopic: 'languages' },
  company: { topic: 'work', subTopic: 'company' },
  title: { topic: 'work', subTopic: 'title' },
  industry: { topic: 'work', subTopic: 'industry' },
  workSkills: { topic: 'work', subTopic: 'work_skills' },
  projects: { topic: 'work', subTopic: 'projects' },
  school: { topic: 'education', subTopic: 'school' },
  degree: { topic: 'education', subTopic: 'degree' },
  major: { topic: 'education', subTopic: 'major' },
  learning: { topic: 'education', subTopic: 'learning' },
  partner: { topic: 'family', subTopic: 'partner' },
  children: { topic: 'family', subTopic: 'children' },
  parents: { topic: 'family', subTopic: 'parents' },
  siblings: { topic: 'family', subTopic: 'siblings' },
  dogs: { topic: 'pets', subTopic: 'dogs' },
  cats: { topic: 'pets', subTopic: 'cats' },
  otherPets: { topic: 'pets', subTopic: 'other_pets' },
  diet: { topic: 'food', subTopic: 'diet' },
  restrictions: { topic: 'food', subTopic: 'restrictions' },
  foodLikes: { topic: 'food', subTopic: 'likes' },
  foodDislikes: { topic: 'food', subTopic: 'dislikes' },
  hobbies: { topic: 'interests', subTopic: 'hobbies' },
  sports: { topic: 'interests', subTopic: 'sports' },
  music: { topic: 'interests', subTopic: 'music' },
  books: { topic: 'interests', subTopic: 'books' },
  movies: { topic: 'interests', subTopic: 'movies' },
  likes: { topic: 'interests', subTopic: 'likes' },
  dislikes: { topic: 'interests', subTopic: 'dislikes' },
  allergies: { topic: 'health', subTopic: 'allergies' },
  conditions: { topic: 'health', subTopic: 'conditions' },
  personality: { topic: 'psychological', subTopic: 'personality' },
  values: { topic: 'psychological', subTopic: 'values' },
  goals: { topic: 'psychological', subTopic: 'goals' },
  plans: { topic: 'life_event', subTopic: 'plans' },
  events: { topic: 'life_event', subTopic: 'events' },
} as const satisfies Record<string, SlotRef>;

export type DefaultSlotName = keyof typeof DEFAULT_SLOTS;

// ---------------------------------------------------------------- lookup

/** Slot names compare case-insensitively and ignoring surrounding spaces. */
export function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function findTopic(config: ProfileConfig, topicName: string): ProfileTopicConfig | null {
  return config.topics.find((t) => sameName(t.name, topicName)) ?? null;
}

/**
 * The configured slot for a topic/sub-topic (case-insensitive), with the
 * names spelled as the config spells them; null when the config lacks it.
 */
export function findSlot(
  config: ProfileConfig,
  topicName: string,
  subTopicName: string,
): { topic: ProfileTopicConfig; subTopic: ProfileSubTopic } | null {
  const found = findTopic(config, topicName);
  const sub = found?.subTopics.find((s) => sameName(s.name, subTopicName));
  return found && sub ? { topic: found, subTopic: sub } : null;
}

// ---------------------------------------------------------------- validation

/** Most topics a config may hold. */
export const MAX_TOPICS = 50;
/** Most sub-topics one topic may hold. */
export const MAX_SUB_TOPICS = 50;
/** Longest topic or sub-topic name, in characters. */
export const MAX_NAME_LENGTH = 64;
/** Longest description, in characters. */
export const MAX_DESCRIPTION_LENGTH = 500;

/** One thing wrong with a config; `path` names the field, e.g. `topics[2].subTopics[0].name`. */
export interface ProfileConfigProblem {
  path: string;
  message: string;
}

/**
 * Everything wrong with a profile config, in document order; empty when it
 * can be stored. Checks shapes too, so it is safe on parsed JSON.
 * Rules: at least one topic and at most MAX_TOPICS; each topic has at least
 * one sub-topic and at most MAX_SUB_TOPICS; names are non-empty, trimmed, at
 * most MAX_NAME_LENGTH characters, free of control characters, and unique
 * (case-insensitively) among topics and among one topic's sub-topics;
 * descriptions are strings of at most MAX_DESCRIPTION_LENGTH characters;
 * blobTokenCap is a whole number from MIN_BLOB_TOKEN_CAP to MAX_BLOB_TOKEN_CAP.
 */
export function validateProfileConfig(config: ProfileConfig): ProfileConfigProblem[] {
  const problems: ProfileConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const value: unknown = config;
  if (!isRecord(value)) return [{ path: 'config', message: 'must be an object with `strict` and `topics`' }];
  if (typeof value.strict !== 'boolean') add('strict', 'must be true or false');
  const cap = value.blobTokenCap;
  if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < MIN_BLOB_TOKEN_CAP || cap > MAX_BLOB_TOKEN_CAP)
    add(
      'blobTokenCap',
      `must be a whole number of tokens from ${MIN_BLOB_TOKEN_CAP} to ${MAX_BLOB_TOKEN_CAP.toLocaleString('en')} (got ${JSON.stringify(cap)})`,
    );
  const topics = value.topics;
  if (!Array.isArray(topics)) {
    add('topics', 'must be a list of topics');
    return problems;
  }
  if (topics.length === 0) add('topics', 'must hold at least one topic');
  if (topics.length > MAX_TOPICS) add('topics', `holds ${topics.length} topics; the limit is ${MAX_TOPICS}`);
  const topicNames = new Map<string, number>();
  for (const [i, t] of (topics as unknown[]).entries()) {
    const at = `topics[${i}]`;
    if (!isRecord(t)) {
      add(at, 'must be an object with `name`, `description` and `subTopics`');
      continue;
    }
    checkName(t.name, `${at}.name`, topicNames, 'topics', add);
    checkDescription(t.description, `${at}.description`, add);
    const subTopics = t.subTopics;
    if (!Array.isArray(subTopics)) {
      add(`${at}.subTopics`, 'must be a list of sub-topics');
      continue;
    }
    if (subTopics.length === 0) add(`${at}.subTopics`, 'must hold at least one sub-topic');
    if (subTopics.length > MAX_SUB_TOPICS)
      add(`${at}.subTopics`, `holds ${subTopics.length} sub-topics; the limit is ${MAX_SUB_TOPICS}`);
    const subNames = new Map<string, number>();
    for (const [j, s] of (subTopics as unknown[]).entries()) {
      const subAt = `${at}.subTopics[${j}]`;
      if (!isRecord(s)) {
        add(subAt, 'must be an object with `name`, `description` and `singleValued`');
        continue;
      }
      checkName(s.name, `${subAt}.name`, subNames, `${at}.subTopics`, add);
      checkDescription(s.description, `${subAt}.description`, add);
      if (typeof s.singleValued !== 'boolean') add(`${subAt}.singleValued`, 'must be true or false');
    }
  }
  return problems;
}

/** A config read from storage or JSON: the typed config (known fields only), or its problems. */
export function parseProfileConfig(
  value: unknown,
): { ok: true; config: ProfileConfig } | { ok: false; problems: ProfileConfigProblem[] } {
  // Configs saved before blobTokenCap existed have the default cap.
  const withCap =
    isRecord(value) && value.blobTokenCap === undefined ? { ...value, blobTokenCap: DEFAULT_BLOB_TOKEN_CAP } : value;
  const problems = validateProfileConfig(withCap as ProfileConfig);
  if (problems.length > 0) return { ok: false, problems };
  const config = withCap as ProfileConfig;
  return {
    ok: true,
    config: {
      strict: config.strict,
      blobTokenCap: config.blobTokenCap,
      topics: config.topics.map((t) => ({
        name: t.name,
        description: t.description,
        subTopics: t.subTopics.map((s) => ({ name: s.name, description: s.description, singleValued: s.singleValued })),
      })),
    },
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this refuses.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function checkName(
  name: unknown,
  path: string,
  seen: Map<string, number>,
  listPath: string,
  add: (path: string, message: string) => void,
): void {
  if (typeof name !== 'string') {
    add(path, 'must be a string');
    return;
  }
  if (name.trim() === '') {
    add(path, 'must not be empty');
    return;
  }
  if (name !== name.trim()) add(path, 'must not start or end with spaces');
  if (name.length > MAX_NAME_LENGTH) add(path, `is ${name.length} characters; the limit is ${MAX_NAME_LENGTH}`);
  if (CONTROL_CHARACTERS.test(name)) add(path, 'must not contain control characters');
  const key = name.trim().toLowerCase();
  const first = seen.get(key);
  if (first !== undefined)
    add(path, `"${name}" is already used by ${listPath}[${first}] (names are compared case-insensitively)`);
  else seen.set(key, indexOf(path));
}

function checkDescription(description: unknown, path: string, add: (path: string, message: string) => void): void {
  if (typeof description !== 'string') {
    add(path, 'must be a string (may be empty)');
    return;
  }
  if (description.length > MAX_DESCRIPTION_LENGTH)
    add(path, `is ${description.length} characters; the limit is ${MAX_DESCRIPTION_LENGTH}`);
}

/** The index in the last `[n]` of a path such as `topics[2].subTopics[0].name`. */
function indexOf(path: string): number {
  const match = /\[(\d+)\]\.name$/.exec(path);
  return match ? Number(match[1]) : -1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
