// Word tables the NLP layer of the offline extractor reads (clauses.ts,
// activities.ts): data, one entry a line, so a new word is a one-line change
// with no pattern to edit. Each table has a test in
// test/extraction/rule-tables.test.ts.

const table = (lines: string): ReadonlySet<string> =>
  new Set(
    lines
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim().toLowerCase())
      .filter((line) => line !== ''),
  );

/** Nouns of time: a phrase ending in one of these ("on the night shift", "for ten years", "most evenings") says when, not what. */
export const TIME_NOUNS = table(`
  second
  minute
  hour
  day
  week
  weekend
  fortnight
  month
  year
  decade
  age
  while
  moment
  time
  morning
  afternoon
  evening
  night
  noon
  midnight
  dawn
  shift
  lunch
  lunchtime
  breakfast
  dinner
  commute
  holiday
  vacation
  summer
  winter
  spring
  autumn
  fall
  season
  childhood
  twenties
  thirties
  forties
  monday
  tuesday
  wednesday
  thursday
  friday
  saturday
  sunday
  january
  february
  march
  april
  may
  june
  july
  august
  september
  october
  november
  december
  today
  tonight
  yesterday
  tomorrow
  now
  bit
  chance
`);

/** Prepositions that open a time phrase when its noun is a time noun ("for about ten years", "since high school"). */
export const TIME_PREPOSITIONS = table(`
  for
  since
  on
  in
  at
  during
  before
  after
  until
  till
  over
  around
  through
  throughout
  every
  each
  most
  all
  some
  this
  last
  next
  once
  twice
`);

/** People and animals one does things with: "with my kids", "with roommates" is company, not the value. */
export const COMPANIONS = table(`
  friend
  friends
  family
  kid
  kids
  child
  children
  son
  sons
  daughter
  daughters
  wife
  husband
  partner
  spouse
  boyfriend
  girlfriend
  fiance
  fiancee
  roommate
  roommates
  flatmate
  flatmates
  housemate
  housemates
  parents
  mom
  mum
  dad
  mother
  father
  sister
  sisters
  brother
  brothers
  coworker
  coworkers
  colleague
  colleagues
  team
  dog
  dogs
  cat
  cats
  neighbours
  neighbors
  grandkids
  grandchildren
  everyone
  people
  others
`);

/** Phrases that only comment on what was said ("..., honestly", "..., just so you know"): dropped where they trail a clause. */
export const DISCOURSE_TAILS = table(`
  just so you know
  so you know
  for what it is worth
  for the record
  to be honest
  to be fair
  if that matters
  if that helps
  if it matters
  if it helps
  you know
  I guess
  I suppose
  I mean
  I swear
  no joke
  for real
  for sure
  of course
  by the way
  believe it or not
  at least
  more or less
  in a way
  so far
  always have
  always did
  as always
  as usual
  like always
  as well
  and stuff
  and all that
  or so
  or something
  all day
  every day
  every chance I get
  whenever I can
  when I can
  most of the time
  a lot
  a bit
  a little
`);

/** Ways of saying one became something: "I've gone vegan", "I switched to a keto diet" say "I am vegan", "I am on a keto diet". */
export const BECOMING = table(`
  went
  gone
  have gone
  turned
  have turned
  became
  become
  have become
  switched to
  have switched to
  changed to
  converted to
  am going
  am now
`);
