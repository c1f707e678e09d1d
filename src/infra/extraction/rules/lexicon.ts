// Word lists the offline extractor classifies values with. Lower case; a
// value is looked up whole and by its last word ("dark chocolate" -> food).
// They are deliberately small: a word missing here means a fact lands in a
// more generic slot (interests/likes), or is not extracted at all.

const words = (text: string): ReadonlySet<string> =>
  new Set(
    text
      .split('|')
      .map((w) => w.trim())
      .filter(Boolean),
  );

export const FOODS = words(
  'pizza|pasta|sushi|ramen|burgers|burger|tacos|taco|curry|curries|chocolate|coffee|tea|wine|red wine|white wine|beer|cheese|ice cream|cake|bread|rice|noodles|salad|salads|steak|chicken|beef|pork|lamb|fish|seafood|shellfish|shrimp|prawns|crab|lobster|oysters|mussels|salmon|tuna|eggs|egg|milk|dairy|yogurt|yoghurt|butter|nuts|peanuts|peanut|almonds|cashews|walnuts|hazelnuts|pistachios|tree nuts|gluten|wheat|soy|sesame|fruit|fruits|vegetables|veggies|broccoli|spinach|kale|cilantro|coriander|garlic|onions|onion|mushrooms|olives|tomatoes|avocado|avocados|bananas|banana|apples|strawberries|berries|mango|mangoes|pineapple|spicy food|sweets|candy|desserts|dessert|pastries|croissants|bagels|sandwiches|soup|soups|dumplings|kimchi|tofu|tempeh|hummus|falafel|pancakes|waffles|bacon|sausages|ham|hot dogs|hot dog|corn dog|corn dogs|fries|chips|popcorn|cookies|donuts|doughnuts|honey|sugar|meat|red meat|alcohol|soda|juice|smoothies|kombucha|matcha|espresso|lattes|latte|cappuccino|whisky|whiskey|vodka|gin|rum|tequila|cocktails|champagne|cider|barbecue|bbq|pho|paella|lasagna|lasagne|risotto|spaghetti|mac and cheese|fish and chips|oatmeal|porridge|cereal|cucumber|peppers|chili|chilli|jalapenos|licorice|liquorice|marzipan|mayonnaise|mayo|ketchup|mustard|vinegar|anchovies|sardines|liver|tripe|durian|brussels sprouts|eggplant|aubergine|zucchini|celery|beets|beetroot|coconut|lentils|beans|chickpeas|quinoa|corn|potatoes|pudding|cream|blue cheese|feta|mozzarella|truffles|lactose|caffeine|dim sum|burritos|nachos|kebab|kebabs|gyros|baklava|tiramisu|cheesecake|brownies|muffins|bagel|toast|jam|peanut butter|nutella|olive oil|seaweed|octopus|squid|calamari|caviar|foie gras|venison|duck|turkey|goat cheese|strawberry|raspberries|blueberries|cherries|grapes|oranges|lemons|watermelon|melon|kiwi|figs|dates|raisins|spice|spices|food|street food|fast food|junk food|chinese food|thai food|indian food|italian food|mexican food|japanese food|korean food|vietnamese food|greek food|french food|spanish food',
);

export const SPORTS = words(
  'padel|pickleball|squash|football|soccer|basketball|tennis|golf|baseball|hockey|ice hockey|volleyball|beach volleyball|rugby|cricket|badminton|table tennis|ping pong|squash|handball|boxing|kickboxing|mma|martial arts|karate|judo|taekwondo|jiu-jitsu|jiu jitsu|bjj|wrestling|fencing|rowing|cycling|swimming|running|trail running|skiing|snowboarding|surfing|climbing|rock climbing|bouldering|yoga|pilates|crossfit|f1|formula 1|formula one|athletics|track and field|triathlon|triathlons|marathons|lacrosse|water polo|kayaking|canoeing|sailing|skateboarding|gymnastics|padel|pickleball|darts|bowling|curling|american football|nfl|nba|nhl|mlb|softball|field hockey|ultimate frisbee|frisbee|archery|equestrian|horse riding|horseback riding|motorsport|motorsports|weightlifting|powerlifting|bodybuilding|diving|scuba diving|mountain biking|skating|ice skating|figure skating|netball|polo|esports',
);

export const MUSIC = words(
  'jazz|rock|pop|hip hop|hip-hop|rap|classical|classical music|metal|heavy metal|punk|punk rock|techno|house|house music|edm|electronic music|country|country music|blues|folk|folk music|indie|indie rock|r&b|rnb|soul|funk|reggae|reggaeton|k-pop|kpop|j-pop|opera|musicals|disco|grunge|rock music|jazz music|pop music|lo-fi|lofi|ambient|ambient music|drum and bass|dubstep|trance|gospel|salsa|flamenco|bossa nova|latin music|synthwave|emo|ska|new wave|alternative rock|alternative|prog rock|soundtracks|music|live music|concerts',
);

export const INSTRUMENTS = words(
  'guitar|electric guitar|acoustic guitar|bass guitar|piano|violin|drums|bass|cello|saxophone|sax|flute|ukulele|trumpet|clarinet|harp|keyboard|keyboards|accordion|banjo|harmonica|trombone|viola|synth|synthesizer|organ|oboe|mandolin|double bass|tuba|french horn',
);

export const GAMES = words(
  'chess|poker|video games|videogames|board games|boardgames|games|cards|card games|bridge|minecraft|fortnite|dnd|d&d|dungeons and dragons|sudoku|crosswords|mahjong|backgammon|scrabble|league of legends|pokemon|tabletop games|computer games|pc games|mobile games',
);

export const LANGUAGES = words(
  'english|german|french|spanish|italian|portuguese|dutch|flemish|swedish|norwegian|danish|finnish|icelandic|polish|czech|slovak|hungarian|romanian|bulgarian|greek|turkish|russian|ukrainian|belarusian|serbian|croatian|bosnian|slovenian|albanian|macedonian|lithuanian|latvian|estonian|arabic|hebrew|yiddish|persian|farsi|urdu|hindi|bengali|bangla|punjabi|tamil|telugu|marathi|gujarati|kannada|malayalam|nepali|sinhala|chinese|mandarin|cantonese|japanese|korean|vietnamese|thai|indonesian|malay|tagalog|filipino|swahili|amharic|yoruba|igbo|zulu|xhosa|afrikaans|somali|hausa|catalan|basque|galician|welsh|irish|gaelic|scottish gaelic|latin|esperanto|sign language|asl|bsl|kurdish|armenian|georgian|azerbaijani|kazakh|uzbek|mongolian|khmer|lao|burmese|luxembourgish|maltese|tibetan|pashto|dari|quechua|guarani|maori|hawaiian|samoan',
);

export const NATIONALITIES = words(
  'american|british|english|scottish|welsh|irish|northern irish|canadian|australian|new zealander|kiwi|german|french|spanish|italian|portuguese|dutch|belgian|swiss|austrian|swedish|norwegian|danish|finnish|icelandic|polish|czech|slovak|hungarian|romanian|bulgarian|greek|turkish|russian|ukrainian|belarusian|serbian|croatian|bosnian|slovenian|albanian|macedonian|lithuanian|latvian|estonian|mexican|brazilian|argentinian|argentine|chilean|colombian|peruvian|venezuelan|cuban|chinese|japanese|korean|south korean|vietnamese|thai|indian|pakistani|bangladeshi|sri lankan|nepalese|nepali|indonesian|filipino|filipina|malaysian|singaporean|iranian|iraqi|israeli|lebanese|syrian|egyptian|moroccan|algerian|tunisian|nigerian|ghanaian|kenyan|ethiopian|south african|saudi|emirati|jordanian|palestinian|afghan|kazakh|georgian|armenian|luxembourgish|maltese|cypriot|taiwanese|puerto rican|dominican|jamaican|haitian|ecuadorian|bolivian|uruguayan|paraguayan|costa rican|guatemalan|honduran|salvadoran|nicaraguan|panamanian|mongolian|cambodian|laotian|burmese|tanzanian|ugandan|rwandan|senegalese|cameroonian|zimbabwean|zambian|angolan|mozambican|somali|sudanese|libyan|qatari|kuwaiti|omani|bahraini|yemeni|azerbaijani|uzbek|estonian',
);

/** Head nouns of job titles: "data engineer" is a job because "engineer" is. */
export const JOBS = words(
  'engineer|developer|programmer|coder|designer|architect|nurse|doctor|physician|surgeon|dentist|pharmacist|therapist|psychologist|psychiatrist|counselor|counsellor|teacher|professor|lecturer|tutor|researcher|scientist|analyst|consultant|manager|director|accountant|bookkeeper|auditor|lawyer|attorney|solicitor|barrister|paralegal|judge|journalist|reporter|writer|author|editor|photographer|artist|musician|chef|cook|baker|waiter|waitress|server|bartender|barista|cashier|clerk|electrician|plumber|carpenter|mechanic|technician|pilot|driver|firefighter|officer|soldier|veterinarian|vet|farmer|gardener|cleaner|salesperson|salesman|saleswoman|recruiter|marketer|administrator|secretary|assistant|intern|founder|co-founder|cofounder|ceo|cto|cfo|coo|cmo|cio|vp|president|entrepreneur|contractor|translator|interpreter|librarian|worker|paramedic|midwife|caregiver|carer|nanny|coach|trainer|instructor|banker|trader|economist|statistician|mathematician|physicist|chemist|biologist|geologist|historian|linguist|actor|actress|dancer|singer|producer|animator|illustrator|copywriter|tester|lead|owner|realtor|broker|surveyor|optician|optometrist|radiologist|pediatrician|paediatrician|resident|pastor|priest|streamer|youtuber|influencer|blogger|podcaster|receptionist|housekeeper|janitor|welder|machinist|builder|landscaper|florist|butcher|tailor|hairdresser|barber|stylist|beautician|model|comedian|composer|conductor|sculptor|potter|jeweler|jeweller|programmer|officer|specialist|strategist|planner|coordinator|supervisor|executive|associate|advisor|adviser|agent|investigator|inspector|detective|guard|sailor|fisherman|miner|professional|practitioner|clinician|anesthesiologist|anaesthetist|cardiologist|neurologist|dermatologist|oncologist|hygienist|physiotherapist|chiropractor|sommelier|pâtissier|patissier|dietitian|nutritionist|astronaut|diplomat|politician|civil servant|mayor|scholar|postdoc|fellow|curator|archivist|dj|photojournalist|cinematographer|filmmaker|screenwriter|novelist|poet|illustrator|tattoo artist|craftsman|artisan|operator|dispatcher|courier|postman|mail carrier|paramedic|firefighter|lifeguard|ranger|zookeeper|groomer|trucker',
);

/** Words that are a job status rather than a title: "Is retired", not "Works as retired". */
export const JOB_STATUSES: ReadonlyMap<string, string> = new Map([
  ['student', 'Is a student'],
  ['retired', 'Is retired'],
  ['a retiree', 'Is retired'],
  ['unemployed', 'Is unemployed'],
  ['between jobs', 'Is unemployed'],
  ['out of work', 'Is unemployed'],
  ['self-employed', 'Is self-employed'],
  ['self employed', 'Is self-employed'],
  ['a freelancer', 'Is a freelancer'],
  ['freelance', 'Is a freelancer'],
  ['a stay-at-home mom', 'Is a stay-at-home parent'],
  ['a stay-at-home dad', 'Is a stay-at-home parent'],
  ['a stay-at-home parent', 'Is a stay-at-home parent'],
  ['a stay at home mom', 'Is a stay-at-home parent'],
  ['a stay at home dad', 'Is a stay-at-home parent'],
  ['a homemaker', 'Is a homemaker'],
  ['a housewife', 'Is a homemaker'],
  ['a househusband', 'Is a homemaker'],
]);

export const INDUSTRIES = words(
  'finance|banking|tech|technology|it|software|healthcare|health care|medicine|education|marketing|advertising|sales|retail|hospitality|insurance|real estate|construction|manufacturing|logistics|consulting|law|legal|government|public sector|the public sector|nonprofit|non-profit|nonprofits|the nonprofit sector|media|journalism|publishing|entertainment|film|gaming|the games industry|fashion|automotive|aerospace|energy|oil and gas|renewable energy|telecom|telecoms|telecommunications|pharma|pharmaceuticals|biotech|agriculture|academia|research|hr|human resources|accounting|security|cybersecurity|e-commerce|ecommerce|crypto|fintech|design|architecture|engineering|transportation|food service|tourism|social work|nursing|science|data science|venture capital|private equity|investment banking|asset management|defense|defence|shipping|mining|chemicals|the arts|music|sports|fitness',
);

/** Head nouns of a business one can own or run: "I run a small bakery". */
export const BUSINESSES = words(
  'bakery|shop|store|restaurant|café|cafe|coffee shop|company|business|startup|start-up|agency|firm|practice|studio|consultancy|farm|bar|pub|salon|clinic|gym|bookstore|bookshop|boutique|brewery|winery|hotel|hostel|b&b|food truck|garage|workshop|nonprofit|non-profit|charity|school|daycare|kindergarten|pharmacy|dental practice|law firm|design studio|online shop|online store|etsy shop|youtube channel|podcast|blog|newsletter',
);

export const SCHOOL_WORDS =
  /\b(?:university|universität|universidad|université|college|school|institute|academy|polytechnic|uni|conservatory|seminary)\b/i;

export const PETS: ReadonlyMap<string, 'dogs' | 'cats' | 'otherPets'> = new Map([
  ...[
    'dog',
    'dogs',
    'puppy',
    'puppies',
    'labrador',
    'lab',
    'golden retriever',
    'retriever',
    'poodle',
    'beagle',
    'husky',
    'corgi',
    'dachshund',
    'pug',
    'bulldog',
    'french bulldog',
    'german shepherd',
    'terrier',
    'chihuahua',
    'collie',
    'border collie',
    'spaniel',
    'greyhound',
    'rottweiler',
    'doberman',
    'schnauzer',
    'shih tzu',
    'pomeranian',
    'labradoodle',
    'goldendoodle',
    'dalmatian',
    'great dane',
    'whippet',
    'sheepdog',
  ].map((w) => [w, 'dogs'] as const),
  ...[
    'cat',
    'cats',
    'kitten',
    'kittens',
    'kitty',
    'siamese',
    'maine coon',
    'ragdoll',
    'bengal',
    'sphynx',
    'british shorthair',
    'tabby',
  ].map((w) => [w, 'cats'] as const),
  ...[
    'hamster',
    'hamsters',
    'rabbit',
    'rabbits',
    'bunny',
    'bunnies',
    'parrot',
    'parrots',
    'bird',
    'birds',
    'budgie',
    'budgies',
    'fish',
    'goldfish',
    'turtle',
    'turtles',
    'tortoise',
    'snake',
    'snakes',
    'lizard',
    'gecko',
    'iguana',
    'guinea pig',
    'guinea pigs',
    'horse',
    'horses',
    'pony',
    'ferret',
    'ferrets',
    'rat',
    'rats',
    'mouse',
    'mice',
    'chinchilla',
    'hedgehog',
    'chickens',
    'hens',
    'goat',
    'goats',
    'axolotl',
    'frog',
    'tarantula',
    'cockatiel',
    'canary',
    'bearded dragon',
    'degu',
    'gerbil',
    'gerbils',
  ].map((w) => [w, 'otherPets'] as const),
]);

export const CONDITIONS: ReadonlyMap<string, string> = new Map([
  ...[
    'diabetes',
    'type 1 diabetes',
    'type 2 diabetes',
    'asthma',
    'adhd',
    'add',
    'autism',
    'epilepsy',
    'migraines',
    'migraine',
    'arthritis',
    'rheumatoid arthritis',
    'high blood pressure',
    'hypertension',
    'low blood pressure',
    'celiac disease',
    'coeliac disease',
    'celiac',
    'coeliac',
    "crohn's disease",
    "crohn's",
    'crohns',
    'ibs',
    'depression',
    'anxiety',
    'an anxiety disorder',
    'insomnia',
    'sleep apnea',
    'sleep apnoea',
    'a heart condition',
    'heart disease',
    'eczema',
    'psoriasis',
    'hay fever',
    'hayfever',
    'long covid',
    'multiple sclerosis',
    'ms',
    'dyslexia',
    'tinnitus',
    'back pain',
    'chronic back pain',
    'chronic pain',
    'fibromyalgia',
    'pcos',
    'endometriosis',
    'hypothyroidism',
    'hyperthyroidism',
    'lupus',
    'ptsd',
    'ocd',
    'bipolar disorder',
    'gout',
    'acid reflux',
    'gerd',
    'anemia',
    'anaemia',
    'osteoporosis',
    'scoliosis',
    'a bad back',
    'a bad knee',
    'chronic fatigue',
    'cfs',
    "parkinson's",
    'dementia',
    'cancer',
    'hearing loss',
    'vertigo',
    'colitis',
    'ulcerative colitis',
  ].map((c) => [c, c] as const),
]);

/** Adjectives for a condition: "I'm diabetic" -> "Has diabetes". */
export const CONDITION_ADJECTIVES: ReadonlyMap<string, string> = new Map([
  ['diabetic', 'Has diabetes'],
  ['asthmatic', 'Has asthma'],
  ['epileptic', 'Has epilepsy'],
  ['autistic', 'Is autistic'],
  ['dyslexic', 'Is dyslexic'],
  ['deaf', 'Is deaf'],
  ['hard of hearing', 'Is hard of hearing'],
  ['blind', 'Is blind'],
  ['visually impaired', 'Is visually impaired'],
  ['colorblind', 'Is colorblind'],
  ['color blind', 'Is colorblind'],
  ['colourblind', 'Is colorblind'],
  ['colour blind', 'Is colorblind'],
  ['pregnant', 'Is pregnant'],
  ['celiac', 'Has celiac disease'],
  ['coeliac', 'Has coeliac disease'],
  ['anemic', 'Has anemia'],
  ['anaemic', 'Has anaemia'],
  ['a wheelchair user', 'Uses a wheelchair'],
]);

/** Personality words: nouns take an article ("Is an introvert"), adjectives do not ("Is shy"). */
export const PERSONALITY_NOUNS = words(
  'introvert|extrovert|extravert|ambivert|perfectionist|optimist|pessimist|realist|idealist|morning person|night owl|early bird|people person|empath|homebody|workaholic|overthinker|procrastinator|planner|dreamer|go-getter|risk-taker|team player|loner|neat freak|foodie|bookworm|nerd|geek|adrenaline junkie',
);
export const PERSONALITY_ADJECTIVES = words(
  'introverted|extroverted|extraverted|shy|outgoing|organized|organised|disorganized|disorganised|optimistic|pessimistic|creative|curious|patient|impatient|ambitious|competitive|sensitive|adventurous|spontaneous|introspective|laid-back|laid back|easygoing|easy-going|stubborn|talkative|quiet|reserved|messy|neat|tidy|clumsy|impulsive|practical|pragmatic|analytical|detail-oriented|independent|sociable|social|funny|sarcastic|honest|direct|open-minded|emotional|calm|energetic|lazy|disciplined|punctual|forgetful|indecisive|decisive|logical|empathetic|introspective|private|a bit shy|an open book',
);

/** Strings that end a value: "Berlin with my wife" -> "Berlin". */
export const TAIL =
  /\s+(?:because|since|as|but|though|although|when|whenever|where|which|who|while|with|for(?! the first time)|after|before|until|so|and then|right now|now|currently|these days|at the moment|nowadays|for now|anymore|any more|any longer|again|too|as well|lately|recently|today|tonight|yesterday|tomorrow|this (?:year|month|week|weekend|summer|winter|spring|fall|autumn)|last (?:year|month|week|weekend|summer|winter|spring|fall|autumn|night)|next (?:year|month|week|weekend|summer|winter|spring|fall|autumn)|in (?:\d{4}|january|february|march|april|may|june|july|august|september|october|november|december)|a lot|very much|so much|every\b|each\b|\d+\s+(?:years?|months?|weeks?|days?)\s+ago|(?:about|around|roughly|nearly|almost|over|some|a good)\s+(?:a|an|a few|a couple of|\w+)\s+(?:years?|months?|weeks?|days?|decades?)\b|ago|by (?:trade|profession)|if\b|unless\b|i think|i guess|haha|lol)\b.*$/i;

/** Fixed phrases a list split must not break: "mac and cheese" is one food. */
export const FIXED_PHRASES = [
  'mac and cheese',
  'fish and chips',
  'rock and roll',
  "rock 'n' roll",
  'rhythm and blues',
  'salt and pepper',
  'black and white',
  'drum and bass',
  'dungeons and dragons',
  'track and field',
  'oil and gas',
  'arts and crafts',
  'peanut butter and jelly',
  'bread and butter',
  'simon and garfunkel',
  'sweet and sour',
  'law and order',
  'pride and prejudice',
  'research and development',
  'hide and seek',
  'trial and error',
];

/** Words that cannot be a name even when capitalised: "I'm Fine", "I'm Back". */
export const NOT_NAMES = words(
  'i|a|an|the|and|but|or|not|no|so|very|really|just|also|still|here|there|back|fine|good|great|ok|okay|sorry|sure|ready|done|home|new|from|in|at|on|with|tired|happy|sad|busy|glad|excited|hungry|bored|confused|lost|sick|well|alive|late|early|free|single|married|alone|interested|allergic|vegetarian|vegan|retired|pregnant|afraid|scared|worried|curious|hoping|trying|going|looking|working|living|thinking|wondering|planning|learning|moving|feeling|doing|getting|having|being|currently|actually|basically|always|never|kidding|joking|serious|honest|certain|positive|right|wrong|to|this|that|it|is|was|my|your|his|her|our|their|who|what|why|how|when|where|mom|dad|he|she|they|we|you|me|yes|yeah|hi|hello|hey|thanks|thank|please|catholic|christian|muslim|jewish|buddhist|hindu|atheist|agnostic|gay|straight|bi|lesbian|male|female|trans|nonbinary|non-binary|human|american|european|asian|african|latino|latina|british',
);

export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;

export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ['no', 0],
  ['zero', 0],
  ['a', 1],
  ['an', 1],
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
  ['ten', 10],
  ['eleven', 11],
  ['twelve', 12],
  ['a couple of', 2],
  ['twin', 2],
]);
