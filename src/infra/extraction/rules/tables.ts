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
  neighbour
  neighbours
  neighbor
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
  on the train
  on the bus
  on the subway
  on the tube
  on the metro
  on my commute
  on the way to work
  on the way home
  in the car
  before work
  after work
  before school
  after school
  before bed
  as of today
  as of yesterday
  as of this week
  as of last week
  as of now
`);

export interface Pastime {
  /** Base form: "swim". */
  verb: string;
  /** -ing form, the value a retraction looks for ("I don't swim anymore" removes "Likes swimming"). */
  gerund: string;
  /** none: "I swim" is enough; thing: needs an object ("I watch anime"); activity: needs a sport or activity ("I do pilates"). */
  object: 'none' | 'thing' | 'activity';
  /** Where it goes unless its object says otherwise (a sport, music, a food). */
  slot: 'hobbies' | 'sports' | 'music' | 'foodLikes';
}

const pastimes = (lines: string): ReadonlyMap<string, Pastime> => {
  const map = new Map<string, Pastime>();
  for (const line of lines.split('\n')) {
    const [verb, gerund, object, slot] = line.replace(/#.*$/, '').trim().split(/\s+/);
    if (!verb || !gerund || !object || !slot) continue;
    const entry = { verb, gerund, object, slot } as Pastime;
    map.set(verb, entry);
    map.set(gerund, entry);
  }
  return map;
};

/** Verbs of pastimes and routines: "I swim three times a week", "I knit most nights", "I watch a lot of anime". verb, -ing form, object, slot. */
export const PASTIMES = pastimes(`
  swim       swimming      none      sports
  run        running       none      sports
  jog        jogging       none      sports
  cycle      cycling       none      sports
  bike       biking        none      sports
  hike       hiking        none      hobbies
  climb      climbing      none      sports
  boulder    bouldering    none      sports
  surf       surfing       none      sports
  ski        skiing        none      sports
  snowboard  snowboarding  none      sports
  skate      skating       none      sports
  skateboard skateboarding none      sports
  sail       sailing       none      sports
  kayak      kayaking      none      sports
  row        rowing        none      sports
  box        boxing        none      sports
  golf       golfing       none      sports
  dance      dancing       none      hobbies
  paint      painting      none      hobbies
  draw       drawing       none      hobbies
  sketch     sketching     none      hobbies
  knit       knitting      none      hobbies
  crochet    crocheting    none      hobbies
  sew        sewing        none      hobbies
  quilt      quilting      none      hobbies
  bake       baking        none      hobbies
  cook       cooking       none      hobbies
  garden     gardening     none      hobbies
  meditate   meditating    none      hobbies
  journal    journaling    none      hobbies
  sing       singing       none      music
  fish       fishing       none      hobbies
  hunt       hunting       none      hobbies
  camp       camping       none      hobbies
  travel     traveling     none      hobbies
  volunteer  volunteering  none      hobbies
  read       reading       none      hobbies
  walk       walking       none      hobbies
  write      writing       thing     hobbies
  watch      watching      thing     hobbies
  listen     listening     thing     hobbies
  ride       riding        thing     hobbies
  coach      coaching      thing     sports
  collect    collecting    thing     hobbies
  brew       brewing       thing     hobbies
  practice   practicing    thing     hobbies
  practise   practising    thing     hobbies
  do         doing         activity  hobbies
  eat        eating        thing     foodLikes
  drink      drinking      thing     foodLikes
`);

/** Nouns at the end of a health phrase that make it a condition: "chronic back pain", "an eating disorder", "a sports injury". */
export const CONDITION_HEADS = table(`
  disease
  disorder
  syndrome
  pain
  injury
  injuries
  deficiency
  insufficiency
  cancer
  tumor
  tumour
  infection
  condition
  migraine
  headache
  headaches
  migraines
  depression
  anxiety
  insomnia
  arthritis
  eczema
  psoriasis
  acne
  tinnitus
  vertigo
  hypertension
  hypothyroidism
  hyperthyroidism
  endometriosis
  fibromyalgia
  sciatica
  scoliosis
  anemia
  anaemia
  lupus
  gout
  glaucoma
  cataracts
  dyslexia
  dyspraxia
  autism
  adhd
  ptsd
  ocd
  bipolar
  long covid
  heart murmur
  hearing loss
  sleep apnea
  sleep apnoea
  high blood pressure
  low blood pressure
  high cholesterol
  blood pressure
  cholesterol
`);

/** Medical word endings that name a condition ("tendinitis", "osteoporosis", "neuralgia", "neuropathy"). */
export const CONDITION_SUFFIX = /(?:itis|osis|emia|aemia|algia|pathy|plegia|phobia|somnia|ectomy)$/i;

/** Body parts for "I have a bad back", "a dodgy knee". */
export const BODY_PARTS = table(`
  back
  knee
  knees
  hip
  hips
  shoulder
  shoulders
  ankle
  ankles
  neck
  wrist
  wrists
  elbow
  foot
  feet
  heart
  stomach
  hearing
  eyesight
  leg
  arm
  hand
  hands
  ear
  ears
  eye
  eyes
  legs
  arms
  finger
  fingers
  toe
  toes
  lung
  lungs
  spine
  jaw
  head
  chest
  skin
  joints
`);

/** Agent nouns of pastimes: "I'm an avid runner", "a keen gardener", "a certified scuba diver" say a hobby. noun, activity. */
export const HOBBYISTS: ReadonlyMap<string, string> = new Map(
  `
  runner        running
  jogger        jogging
  swimmer       swimming
  cyclist       cycling
  climber       climbing
  hiker         hiking
  walker        walking
  gardener      gardening
  baker         baking
  cook          cooking
  reader        reading
  knitter       knitting
  photographer  photography
  golfer        golf
  skier         skiing
  snowboarder   snowboarding
  surfer        surfing
  diver         diving
  scuba diver   scuba diving
  sailor        sailing
  birder        birdwatching
  birdwatcher   birdwatching
  gamer         gaming
  painter       painting
  dancer        dancing
  singer        singing
  skater        skating
  angler        fishing
  fisherman     fishing
  traveller     traveling
  traveler      traveling
  collector     collecting
  quilter       quilting
  woodworker    woodworking
  potter        pottery
  chess player  chess
  `
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/))
    .filter((parts): parts is [string, string] => parts.length === 2),
);
