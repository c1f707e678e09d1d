// The offline extractor on everyday statements, by category: each category
// holds sentences written for this file (not the dev or held-out sets), and
// each expects exactly the memories listed ([slot, text]) or nothing.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import type { ExistingMemory } from '../../src/domain/types.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';

const NOW = new Date('2026-03-10T09:00:00Z');
const extractor = new RuleBasedExtractor();

async function added(content: string): Promise<[string, string][]> {
  const { operations } = await extractor.extract({
    messages: [{ role: 'user', content }],
    profile: DEFAULT_PROFILE_CONFIG,
    existing: [],
    now: NOW,
  });
  return operations.flatMap((op) =>
    op.kind === 'ADD' ? [[`${op.topic}/${op.subTopic}`, op.text] as [string, string]] : [],
  );
}

/** The memories after each message in turn, starting from `existing`. */
async function after(existing: [string, string][], ...turns: string[]): Promise<[string, string][]> {
  let id = 0;
  let memories: ExistingMemory[] = existing.map(([slot, text]) => {
    const [topic, subTopic] = slot.split('/') as [string, string];
    return { id: `m${id++}`, text, topic, subTopic };
  });
  for (const content of turns) {
    const { operations } = await extractor.extract({
      messages: [{ role: 'user', content }],
      profile: DEFAULT_PROFILE_CONFIG,
      existing: memories,
      now: NOW,
    });
    for (const op of operations) {
      if (op.kind === 'ADD') memories.push({ id: `m${id++}`, text: op.text, topic: op.topic, subTopic: op.subTopic });
      if (op.kind === 'UPDATE')
        memories = memories.map((m) =>
          m.id === op.memoryId ? { ...m, text: op.text, topic: op.topic, subTopic: op.subTopic } : m,
        );
      if (op.kind === 'DELETE') memories = memories.filter((m) => m.id !== op.memoryId);
    }
  }
  return memories.map((m) => [`${m.topic}/${m.subTopic}`, m.text]);
}

type Case = [string, [string, string][]];

const categories: Record<string, Case[]> = {
  'trailing qualifiers and fillers': [
    ["I'm a firefighter on the day shift, honestly.", [['work/title', 'Works as a firefighter']]],
    ['I dislike loud restaurants, to be honest.', [['interests/dislikes', 'Dislikes loud restaurants']]],
    ["I've been vegan for like six years now.", [['food/diet', 'Is vegan']]],
    ['I work at Bosch, have done for ages.', [['work/company', 'Works at Bosch']]],
    ["I'm allergic to kiwi, pretty mildly though.", [['health/allergies', 'Allergic to kiwi']]],
    ['I speak Dutch these days.', [['basic_info/languages', 'Speaks Dutch']]],
    ['I walk to work unless it snows.', [['interests/hobbies', 'Walks to work']]],
    ['I go bouldering a few times a week.', [['interests/hobbies', 'Goes bouldering']]],
    ['I get cluster headaches a couple of times a year.', [['health/conditions', 'Gets cluster headaches']]],
    [
      "I'm doing my law degree at Leiden part-time.",
      [
        ['education/degree', 'Is pursuing a degree in law'],
        ['education/major', 'Studies law'],
        ['education/school', 'Studies at Leiden'],
      ],
    ],
    ["I'm a total night owl, mornings kill me.", [['psychological/personality', 'Is a night owl']]],
  ],
  'descriptive phrases before the value': [
    ['I live in a shared house in Utrecht.', [['basic_info/location', 'Lives in Utrecht']]],
    ['We live in an old farmhouse near Kraków.', [['basic_info/location', 'Lives in Kraków']]],
    ['I work as an ICU nurse on nights.', [['work/title', 'Works as an ICU nurse']]],
    ['I moved back to my home town, Tromsø, in the autumn.', [['basic_info/location', 'Lives in Tromsø']]],
    ['Raised on a sheep station outside Dunedin.', [['basic_info/origin', 'Is from Dunedin']]],
    ["I've been in Lisbon since the pandemic.", [['basic_info/location', 'Lives in Lisbon']]],
    [
      'I live with my dad and my little sister in a terraced house in Hull.',
      [
        ['basic_info/location', 'Lives in Hull'],
        ['family/siblings', 'Has a little sister'],
      ],
    ],
  ],
  'two facts joined': [
    [
      "I'm a plumber and at weekends I go fishing.",
      [
        ['work/title', 'Works as a plumber'],
        ['interests/hobbies', 'Goes fishing'],
      ],
    ],
    [
      "I'm 38, separated, three kids.",
      [
        ['basic_info/age', 'Is 38 years old'],
        ['family/partner', 'Is separated'],
        ['family/children', 'Has three children'],
      ],
    ],
    [
      'Grew up in Bilbao, living in Madrid these days.',
      [
        ['basic_info/origin', 'Is from Bilbao'],
        ['basic_info/location', 'Lives in Madrid'],
      ],
    ],
    [
      'I am a retired librarian living in Ghent.',
      [
        ['work/title', 'Works as a retired librarian'],
        ['basic_info/location', 'Lives in Ghent'],
      ],
    ],
  ],
  'job news with role and employer': [
    [
      'I just started a new job as a QA engineer at a gaming studio.',
      [
        ['work/company', 'Works at a gaming studio'],
        ['work/title', 'Works as a QA engineer'],
        ['life_event/events', 'Started a new job (March 2026)'],
      ],
    ],
    [
      'Landed a job at Airbus as a technician!',
      [
        ['work/company', 'Works at Airbus'],
        ['work/title', 'Works as a technician'],
        ['life_event/events', 'Started a new job'],
      ],
    ],
    [
      'I work evenings as a waiter in a tapas bar.',
      [
        ['work/title', 'Works as a waiter'],
        ['work/company', 'Works at a tapas bar'],
      ],
    ],
    ['I drive a taxi for a living.', [['work/title', 'Drives a taxi for a living']]],
    ["I'm the founder of a tiny design studio.", [['work/company', 'Founded a tiny design studio']]],
    [
      "I've worked at Tesco for ages, these days as a store manager.",
      [
        ['work/company', 'Works at Tesco'],
        ['work/title', 'Works as a store manager'],
      ],
    ],
  ],
  'health states and pregnancy': [
    ["I'm nine weeks pregnant!", [['health/conditions', 'Is pregnant']]],
    ["I'm in my third trimester, so I'm tired.", [['health/conditions', 'Is pregnant']]],
    ["I'm recovering from a hip replacement.", [['health/conditions', 'Is recovering from a hip replacement']]],
    ['I have a dodgy knee.', [['health/conditions', 'Has a dodgy knee']]],
    [
      'I suffer from tension headaches and sciatica.',
      [
        ['health/conditions', 'Has tension headaches'],
        ['health/conditions', 'Has sciatica'],
      ],
    ],
    ['I have tendinitis in my wrist.', [['health/conditions', 'Has tendinitis']]],
    ['I quit smoking in January.', [['health/conditions', 'Quit smoking']]],
    ['I get nosebleeds when it is dry.', [['health/conditions', 'Gets nosebleeds']]],
    ["I don't drink at all.", [['food/restrictions', 'Does not drink alcohol']]],
  ],
  'hobbies and routines': [
    ['I swim before work most days.', [['interests/sports', 'Likes swimming']]],
    ['Saturdays I volunteer at the dog shelter.', [['interests/hobbies', 'Volunteers at the dog shelter']]],
    ['I watch a lot of baseball.', [['interests/sports', 'Watches baseball']]],
    ['I listen to audiobooks on the train.', [['interests/hobbies', 'Listens to audiobooks']]],
    ['I listen to a lot of jazz.', [['interests/music', 'Listens to jazz']]],
    ['I do judo twice a week.', [['interests/sports', 'Does judo']]],
    ["I've been knitting since I was a teenager.", [['interests/hobbies', 'Likes knitting']]],
    ['I cycle to work every day.', [['interests/hobbies', 'Cycles to work']]],
  ],
  'the general reader: a habit filed by its object': [
    ['I referee hockey most weekends.', [['interests/sports', 'Referees hockey']]],
    ['I collect vintage postcards.', [['interests/hobbies', 'Collects vintage postcards']]],
    ['I brew my own cider.', [['interests/hobbies', 'Brews cider']]],
    ['I volunteer as a lifeguard in the summer.', [['interests/hobbies', 'Volunteers as a lifeguard']]],
    ['Tea is basically my religion.', [['food/likes', 'Likes tea']]],
    ['Huge extrovert, honestly.', [['psychological/personality', 'Is an extrovert']]],
    ['Electrician by trade.', [['work/title', 'Works as an electrician']]],
  ],
  'openings, relatives and tails of why': [
    [
      'Divorced, two kids, live near Galway.',
      [
        ['family/partner', 'Is divorced'],
        ['family/children', 'Has two children'],
        ['basic_info/location', 'Lives near Galway'],
      ],
    ],
    [
      'Currently doing a masters in data science at Bath.',
      [
        ['education/degree', "Is pursuing a master's degree in data science"],
        ['education/major', 'Studies data science'],
        ['education/school', 'Studies at Bath'],
      ],
    ],
    ['Training for my first triathlon!', [['life_event/plans', 'Is training for their first triathlon']]],
    ['I have a younger brother who works in Dubai.', [['family/siblings', 'Has a younger brother']]],
    ['Vegan for ethical reasons.', [['food/diet', 'Is vegan']]],
    ["I'm a firm believer in kindness.", [['psychological/values', 'Values kindness']]],
    [
      "I'm a stay-at-home mum to two toddlers.",
      [
        ['work/title', 'Is a stay-at-home mom'],
        ['family/children', 'Has two toddlers'],
      ],
    ],
    ['I deliver for Deliveroo on the side.', [['work/company', 'Delivers for Deliveroo']]],
    ['I run a small team of designers at Canva.', [['work/company', 'Works at Canva']]],
    ['I wear a hearing aid in my right ear.', [['health/conditions', 'Uses a hearing aid']]],
    ["I'm quite shy around strangers.", [['psychological/personality', 'Is shy']]],
    ["I'm the youngest of three.", [['family/siblings', 'Has two siblings (the youngest of three)']]],
  ],
  'habits read at their core (without where, when and how much)': [
    ["I've played the trumpet in a brass band since I was twelve.", [['interests/music', 'Plays the trumpet']]],
    ["I've cycled to work along the river since the spring.", [['interests/sports', 'Likes cycling']]],
    ['I drink an awful lot of green tea.', [['food/likes', 'Drinks green tea']]],
    ['I knit most nights while watching TV.', [['interests/hobbies', 'Likes knitting']]],
    ["I haven't played the trumpet since school.", []],
  ],
  'a statement inside a verb of coming to know': [
    ["Just found out that I'm diabetic.", [['health/conditions', 'Has diabetes']]],
    ['I learned that I have asthma.', [['health/conditions', 'Has asthma']]],
    ["My cousin found out that I'm pregnant.", []],
  ],
  'a partner named in a couple': [
    ['Lena and I have been together for years.', [['family/partner', 'Is in a relationship with Lena']]],
    ['My husband Raj and I went to Crete.', [['family/partner', 'Has a husband named Raj']]],
  ],
  'short titles, years of study and keen supporters': [
    [
      "I'm a frontend dev at Klarna.",
      [
        ['work/title', 'Works as a frontend developer'],
        ['work/company', 'Works at Klarna'],
      ],
    ],
    ["I'm the dev team lead.", [['work/title', 'Works as a dev team lead']]],
    [
      "I'm a sophomore at Rutgers majoring in history.",
      [
        ['education/school', 'Studies at Rutgers'],
        ['education/major', 'Studies history'],
      ],
    ],
    [
      "I'm halfway through a BSc in nursing at Cardiff.",
      [
        ['education/degree', "Is pursuing a bachelor's degree in nursing"],
        ['education/major', 'Studies nursing'],
        ['education/school', 'Studies at Cardiff'],
      ],
    ],
    ["I'm a lifelong Celtic supporter.", [['interests/likes', 'Likes Celtic']]],
  ],
  'two clauses joined, whatever the verb ends with': [
    [
      "I'm a carer for my mum and on Sundays I sing in a choir.",
      [
        ['work/title', 'Works as a carer'],
        ['interests/music', 'Sings in a choir'],
      ],
    ],
    ['I do Pilates twice a week.', [['interests/sports', 'Does Pilates']]],
  ],
  'role and employer with what lies between': [
    [
      "I work as a nurse on the night shift at St Mary's.",
      [
        ['work/title', 'Works as a nurse'],
        ['work/company', "Works at St Mary's"],
      ],
    ],
    [
      "I've just been hired as a sous chef at a hotel in Bath.",
      [
        ['work/title', 'Works as a sous chef'],
        ['work/company', 'Works at a hotel'],
      ],
    ],
    ["I'm a carer for my mum.", [['work/title', 'Works as a carer']]],
  ],
  'values said another way': [
    ["I'm a fairly impatient person at heart.", [['psychological/personality', 'Is impatient']]],
    ["I'm a busy person.", []],
    ['We foster a retired greyhound called Bolt at home.', [['pets/dogs', 'Has a retired greyhound named Bolt']]],
    ['My go-to breakfast is porridge.', [['food/likes', 'Favorite breakfast is porridge']]],
    [
      "I'm a site engineer in construction.",
      [
        ['work/title', 'Works as a site engineer'],
        ['work/industry', 'Works in construction'],
      ],
    ],
    ['Hate crowds, always have.', [['interests/dislikes', 'Dislikes crowds']]],
    ['Love you!', []],
    ['Raw onions give me a nasty reaction.', [['health/allergies', 'Allergic to raw onions']]],
    ['My boss gives me a headache.', []],
    ["I'm 20 weeks along and feeling great.", [['health/conditions', 'Is pregnant']]],
    ["My birthday's on the 21st of March.", [['basic_info/birthday', 'Birthday is March 21']]],
    [
      "I'm half Korean, half Brazilian.",
      [
        ['basic_info/nationality', 'Is Korean'],
        ['basic_info/nationality', 'Is Brazilian'],
      ],
    ],
  ],
  'tastes said of a generic subject': [
    ['Olives are so gross.', [['food/dislikes', 'Dislikes olives']]],
    ['Jazz is my thing.', [['interests/music', 'Likes jazz']]],
    ['The weather is awful.', []],
    ['My brother is the worst.', []],
    ['Favourite food is pho.', [['food/likes', 'Favorite food is pho']]],
  ],
  'states said in passing': [
    ['we only eat kosher', [['food/diet', 'Eats only kosher food']]],
    ['I get awful heartburn after dinner.', [['health/conditions', 'Gets heartburn']]],
    ["I'm deaf in one ear.", [['health/conditions', 'Is deaf']]],
    [
      'I have an older brother and a half-sister.',
      [
        ['family/siblings', 'Has an older brother'],
        ['family/siblings', 'Has a half-sister'],
      ],
    ],
  ],
  'time phrases with a quantity, and moves with a direction': [
    ['We relocated to Bath a couple of months ago.', [['basic_info/location', 'Lives in Bath']]],
    ["I've been crocheting for a bunch of years.", [['interests/hobbies', 'Likes crocheting']]],
    ['We moved back to Cork in the spring.', [['basic_info/location', 'Lives in Cork']]],
  ],
  'a result clause after "so", a stance word after the copula': [
    ["I'm vegetarian so no burgers for me.", [['food/diet', 'Is vegetarian']]],
    ['My favourite band is definitely Radiohead.', [['interests/music', 'Favorite band is Radiohead']]],
  ],
  'a statement a frame introduces': [
    ['The funny thing is I hate cheese.', [['food/dislikes', 'Dislikes cheese']]],
    ["One thing you should know is that I'm dyslexic.", [['health/conditions', 'Is dyslexic']]],
  ],
  "a condition named as the user's own": [
    ['My eczema has been playing up all week.', [['health/conditions', 'Has eczema']]],
    ['And my arthritis gets worse in the cold.', [['health/conditions', 'Has arthritis']]],
  ],
  "born or raised, said after the user's clause": [
    [
      "I'm based in Oslo, born in Bergen.",
      [
        ['basic_info/location', 'Lives in Oslo'],
        ['basic_info/birthplace', 'Was born in Bergen'],
      ],
    ],
  ],
  'a place after a description, in lower case': [
    ['i live in a basement flat in bristol', [['basic_info/location', 'Lives in Bristol']]],
  ],
  'a clause whose subject is "my ..."': [
    [
      "I'm vegan and my asthma is really bad",
      [
        ['food/diet', 'Is vegan'],
        ['health/conditions', 'Has asthma'],
      ],
    ],
  ],
  'doing something with food is a pastime, eating it a taste': [
    ['I enjoy baking sourdough.', [['interests/hobbies', 'Likes baking sourdough']]],
    ['I love eating ramen.', [['food/likes', 'Likes eating ramen']]],
  ],
  'an enthusiast for something': [["I'm a massive geek about trains.", [['interests/likes', 'Likes trains']]]],
  'cutting down on a food is a goal': [
    ["I'm trying to cut back on crisps.", [['psychological/goals', 'Goal is to cut back on crisps']]],
  ],
  'a degree one did': [
    [
      'I did an MSc in economics.',
      [
        ['education/degree', "Has a master's degree in economics"],
        ['education/major', 'Studied economics'],
      ],
    ],
  ],
  'animals by their WordNet class, counted or named when the word is also a food': [
    ["I've got three rescue whippets.", [['pets/dogs', 'Has three rescue whippets']]],
    ['We keep ducks in the garden.', [['pets/other_pets', 'Has ducks']]],
    ['We have a couple of hens.', [['pets/other_pets', 'Has two hens']]],
  ],
  'a liking the user names as theirs': [
    ['My biggest weakness is salted caramel.', [['food/likes', 'Likes salted caramel']]],
  ],
  'whatever is done as leisure is a hobby': [
    ['I restore old furniture for fun.', [['interests/hobbies', 'Restores old furniture']]],
    ["I'm building a canoe in my spare time.", [['interests/hobbies', 'Builds a canoe']]],
  ],
  'a laugh of agreement opening a reply is no joke': [["haha yeah, I'm vegan", [['food/diet', 'Is vegan']]]],
  'diet words said with "I am"': [["I'm keto.", [['food/diet', 'Follows a keto diet']]]],
  'a lasting condition said with its adjective in -ic': [
    ["I'm arthritic these days.", [['health/conditions', 'Is arthritic']]],
  ],
  'a course in a subject is learning': [
    ["I'm doing a night class in Italian.", [['education/learning', 'Is learning Italian']]],
  ],
  'a present progressive with a time ahead is a plan': [
    ["We're getting married in June.", [['life_event/plans', 'Plans to get married in June 2026']]],
    ["I'm flying to Tokyo in May.", [['life_event/plans', 'Plans to fly to Tokyo in May 2026']]],
  ],
  'pets in the household': [
    [
      'I live with my dog and my two cats.',
      [
        ['pets/dogs', 'Has a dog'],
        ['pets/cats', 'Has two cats'],
      ],
    ],
    [
      'I live in Leeds with my two dogs, Bo and Tig.',
      [
        ['basic_info/location', 'Lives in Leeds'],
        ['pets/dogs', 'Has two dogs named Bo and Tig'],
      ],
    ],
  ],
  'names said in a clause of their own after the children or pets': [
    ["We've got two boys, Alfie who's 6 and Ted who's 3.", [['family/children', 'Has two sons named Alfie and Ted']]],
    ["We adopted a rabbit in May, she's called Clover.", [['pets/other_pets', 'Has a rabbit named Clover']]],
    ['I have a younger sister, her name is Ruth.', [['family/siblings', 'Has a younger sister named Ruth']]],
  ],
  'how much is no part of the object': [['I play way too much chess.', [['interests/hobbies', 'Plays chess']]]],
  'a favourite said with a modal, and a dish as someone close makes it': [
    ["My favourite dinner would have to be my mum's lasagne.", [['food/likes', "Favorite dinner is mum's lasagne"]]],
  ],
  'a time said as "about N years" is no part of the place': [
    ['I moved to Derby about six years ago.', [['basic_info/location', 'Lives in Derby']]],
  ],
  'material fronted before the subject, read by part of speech': [
    ["ngl I'm a huge rugby fan", [['interests/sports', 'Likes rugby']]],
    ['jobwise I am a paramedic', [['work/title', 'Works as a paramedic']]],
    ['most evenings after dinner I play the piano', [['interests/music', 'Plays the piano']]],
    ['since I moved I work from home', []],
    ["apparently I'm lactose intolerant, says my GP", []],
  ],
  'a sentence that opens without its subject says it of the user': [
    ['originally from Cork', [['basic_info/origin', 'Is from Cork']]],
    ['training for a marathon', [['life_event/plans', 'Is training for a marathon']]],
    ['into jazz lately', [['interests/music', 'Likes jazz']]],
    ['sorry about that', []],
    ['great to see you', []],
    ['meeting my sister tonight', []],
  ],
  'a job looked for names no employer': [["I'm looking for a new job", [['work/title', 'Is looking for a job']]]],
  'other words for what the rules read, and a couple for the user': [
    ["We're emigrating to Canada in the autumn.", [['life_event/plans', 'Plans to move to Canada in autumn 2026']]],
    ['my wife and I co-own a flower shop', [['work/company', 'Runs a flower shop']]],
    ['we share the flat with three rabbits', [['pets/other_pets', 'Has three rabbits']]],
    ["we're hoping to adopt one day", [['psychological/goals', 'Wants to adopt']]],
    ["we're trying for a baby", [['psychological/goals', 'Wants to have a baby']]],
    ["we're both pescatarian", [['food/diet', 'Is pescatarian']]],
    ['I hope to see you soon', []],
  ],
  'a time ahead read by chrono-node makes a plan of a life change, a journey or a goal': [
    ["I'm getting married next June", [['life_event/plans', 'Plans to get married in June 2026']]],
    ["we're off to Peru in January", [['life_event/plans', 'Plans to go to Peru in January 2027']]],
    [
      "I'm running the Berlin marathon next September",
      [['life_event/plans', 'Plans to run the Berlin marathon in September 2026']],
    ],
    ["I'm moving to Hull in two weeks", [['life_event/plans', 'Plans to move to Hull in March 2026']]],
    ["I'm seeing the dentist next Tuesday", []],
    ["I'm having lunch with my mum on Sunday", []],
    ['I ate pasta on Monday', []],
  ],
  'health and family said another way': [
    ["we're due in May", [['health/conditions', 'Is expecting a baby']]],
    ['we are due to move in May', []],
    ["I've been with my boyfriend for two years", [['family/partner', 'Is in a relationship']]],
    ["I'm eight months sober", [['food/restrictions', 'Does not drink alcohol']]],
    ["I'm in remission from lymphoma", [['health/conditions', 'Is recovering from lymphoma']]],
  ],
  'work and study said another way': [
    [
      'my manager bumped me up to senior analyst',
      [
        ['work/title', 'Works as a senior analyst'],
        ['life_event/events', 'Got promoted'],
      ],
    ],
    ['they made me cry', []],
    ["I've been at Siemens for six years", [['work/company', 'Works at Siemens']]],
    ["I've been at Tesco for an hour", []],
    [
      "I'm in my third year of physics at Durham",
      [
        ['education/major', 'Studies physics'],
        ['education/school', 'Studies at Durham'],
      ],
    ],
  ],
  'tastes, groups and faith said of the thing or the user': [
    ["chess isn't really my thing", [['interests/dislikes', 'Dislikes chess']]],
    ['swimming keeps me sane', [['interests/sports', 'Likes swimming']]],
    ['Tom keeps me sane', []],
    ["I'm a member of a running club", [['interests/sports', 'Is in a running club']]],
    ["I'm in a string orchestra", [['interests/music', 'Is in a string orchestra']]],
    ["I'm a devout Hindu", [['psychological/values', 'Is a devout Hindu']]],
    ["I'm agnostic", [['psychological/values', 'Is an agnostic']]],
    ['home is a tiny flat in Leeds', [['basic_info/location', 'Lives in Leeds']]],
    ["I'm half Brazilian", [['basic_info/nationality', 'Is Brazilian']]],
    ['I have such a sweet tooth', [['food/likes', 'Has a sweet tooth']]],
    ["I'm in a bad mood", []],
  ],
  'joining as a role': [
    [
      "I've joined the NHS as a paramedic",
      [
        ['work/company', 'Works at the NHS'],
        ['work/title', 'Works as a paramedic'],
      ],
    ],
    ['I joined a gym as a member', []],
    ['I joined the army as a teenager', []],
  ],
  'a pastime taken up': [
    ["I've recently taken up golf", [['interests/sports', 'Does golf']]],
    ["I'm trying to get into running", [['interests/sports', 'Likes running']]],
    ['I got into Oxford', []],
    ['I took up the offer', []],
  ],
  'chat in lower case: places get their capitals back (WordNet names that are nothing but places)': [
    ['i live in cardiff these days', [['basic_info/location', 'Lives in Cardiff']]],
    ["we're moving to rio de janeiro next year", [['life_event/plans', 'Plans to move to Rio de Janeiro in 2027']]],
    ['I love reading', [['interests/hobbies', 'Likes reading']]],
  ],
  'a sentence that opens on a verb of the user': [
    ['gone fully vegan since january', [['food/diet', 'Is vegan']]],
    ['moved to leeds last year', [['basic_info/location', 'Lives in Leeds']]],
    ['went to the dentist', []],
    ['loved that film', []],
  ],
  'a language one does is being learned': [
    ["I'm doing Italian at night school", [['education/learning', 'Is learning Italian at night school']]],
    ["I'm doing overtime", []],
  ],
  'a closing laugh is about the aside it ends': [
    ["i'm 30 weeks pregnant so everything aches lol", [['health/conditions', 'Is pregnant']]],
    ['yeah and I am secretly a billionaire astronaut, sure lol', []],
    ["I'm the fastest typist in the world, trust me lol", []],
  ],
  'replies in a word or two': [
    ['very much single now', [['family/partner', 'Is single']]],
    ['just brought home a ginger kitten', [['pets/cats', 'Has a ginger kitten']]],
    ['just checking', []],
    ['hungry', []],
  ],
  'how long is no employer': [
    ['been a swimming teacher for 9 years, year 2 mostly', [['work/title', 'Works as a swimming teacher']]],
  ],
  'a snob for a thing likes it': [["I'm a real tea snob.", [['food/likes', 'Likes tea']]]],
  'the name after a description of the spouse': [
    ["I'm married to a brilliant guy called Raj.", [['family/partner', 'Is married to Raj']]],
  ],
  'a diagnosis said as a noun': [['Got my ADHD diagnosis last spring.', [['health/conditions', 'Has ADHD']]]],
  'the year of study says nothing of the subject': [
    ["I'm in my second year studying geology.", [['education/major', 'Studies geology']]],
  ],
  'coming over to a place is a move': [
    ['I came over to Dublin in 2015.', [['basic_info/location', 'Lives in Dublin']]],
  ],
  "a birthday without its owner is the user's": [
    ['Birthday is 2 April.', [['basic_info/birthday', 'Birthday is April 2']]],
  ],
  'a discourse word opening the sentence is dropped before its names are read': [
    [
      'so my husband Joe and I got a puppy',
      [
        ['family/partner', 'Has a husband named Joe'],
        ['pets/dogs', 'Has a puppy'],
      ],
    ],
  ],
  'a verb of moving after a clause with "am" is the user\'s own act': [
    [
      "I'm Dutch, moved to Leeds in 2019.",
      [
        ['basic_info/nationality', 'Is Dutch'],
        ['basic_info/location', 'Lives in Leeds'],
      ],
    ],
  ],
  'a comparison of degree before what the user is': [
    ["I'm more of an extrovert than my brother.", [['psychological/personality', 'Is an extrovert']]],
  ],
  '"back" before a time only points to it': [['I went vegetarian back in 2019.', [['food/diet', 'Is vegetarian']]]],
  'a naming left in its clause after a comma': [
    ["I've got a beagle, his name's Rolo, and he eats socks", [['pets/dogs', 'Has a beagle named Rolo']]],
  ],
  'something named is no condition, whatever its name means': [
    ['I have a whippet called Pip.', [['pets/dogs', 'Has a whippet named Pip']]],
  ],
  "a language named as the user's first or second": [
    ['Welsh is my first language.', [['basic_info/languages', 'Speaks Welsh']]],
  ],
  'living together says where': [['We live together in Hove.', [['basic_info/location', 'Lives in Hove']]]],
  'a place after a description opened by "on" or "at"': [
    ['I grew up on a sheep farm in the Lake District.', [['basic_info/origin', 'Is from Lake District']]],
  ],
  'chat\'s words for a partner, and "\'s" before "called"': [
    ["my other half's called Robin", [['family/partner', 'Has a partner named Robin']]],
  ],
  'pronouns named without a verb': [['he/they pronouns please', [['basic_info/pronouns', 'Uses he/they pronouns']]]],
  'a liking said as a comparison': [['Nothing beats a bacon sandwich.', [['food/likes', 'Likes a bacon sandwich']]]],
  'the date said before "is my birthday"': [
    ['The 9th of May is my birthday.', [['basic_info/birthday', 'Birthday is May 9']]],
  ],
  'what follows an interjection alone is the clause': [
    ['oh and for the record I live in Hull', [['basic_info/location', 'Lives in Hull']]],
  ],
  '"me and my ..." is the subject "we"': [
    ['me and my wife have a beagle called Pip', [['pets/dogs', 'Has a beagle named Pip']]],
  ],
  'a subject restored before the adverbs that lead into the verb': [
    ['just turned 50 last week, feeling great', [['basic_info/age', 'Is 50 years old']]],
  ],
  'a hedge of degree before what the user is': [
    ["I'm something of a night owl, always have been", [['psychological/personality', 'Is a night owl']]],
  ],
  'an employer named after its description': [
    ['I work at a small firm called Hart & Co in Leeds.', [['work/company', 'Works at Hart & Co']]],
  ],
  "siblings counted after the user's clause": [
    [
      "I'm 30, two younger brothers.",
      [
        ['basic_info/age', 'Is 30 years old'],
        ['family/siblings', 'Has two younger brothers'],
      ],
    ],
  ],
  'a job title whose first word ends in -ing': [
    [
      'I work for the council as a planning officer.',
      [
        ['work/company', 'Works at the council'],
        ['work/title', 'Works as a planning officer'],
      ],
    ],
  ],
  'a child described before the word': [
    ['I have a little boy called Finn.', [['family/children', 'Has a son named Finn']]],
  ],
  'a known job after any verb and "as"': [['I moonlight as a DJ.', [['work/title', 'Works as a DJ']]]],
  "what the user's own time goes on": [
    [
      'I spend a lot of my free time at the climbing wall.',
      [['interests/hobbies', 'Spends time at the climbing wall']],
    ],
    ['I spend my weekends hiking.', [['interests/hobbies', 'Likes hiking']]],
  ],
  'the general reader: nothing': [
    ['I fixed the sink yesterday.', []],
    ['I brew coffee for the team tonight.', []],
    ['I think chess is overrated.', []],
    ['My brother collects stamps.', []],
    ['Quick question about my taxes.', []],
    ['Long day at work.', []],
    ['Do I collect enough stamps?', []],
    ['Nina is my rock.', []],
  ],
  'nothing: questions, hypotheticals, requests, jokes, others, one-offs': [
    ['Do I need a visa if I move to Canada?', []],
    ['If I had a garden, I would grow tomatoes and bake bread.', []],
    ['Please write a toast for my brother, who swims competitively.', []],
    ['lol I basically live at the gym', []],
    ['My uncle teaches chemistry and plays the organ.', []],
    ['I swam at the beach today.', []],
    ["I'm cooking pasta right now.", []],
    ['Tonight I will paint the hallway and watch TV.', []],
    ['In my novel, I am a spy living in Vienna.', []],
    ['The nurse I talked to has asthma.', []],
    ['I get emails from them every day.', []],
    ["I'm in Rome for the weekend.", []],
    ['I go climbing with my two nephews.', [['interests/hobbies', 'Goes climbing']]],
    ['I would cycle to work if it were closer.', []],
    ['My eczema cleared up last year.', []],
    ["My dad's asthma is getting worse.", []],
    ['My migraines have stopped.', []],
    ['The thing is my sister is a nurse.', []],
    ["I'm her bridesmaid.", []],
    ['I have a chicken.', []],
    ['I have two hot dogs.', []],
    ["I'm watching a film tonight to relax.", []],
    ['My life is a mess.', []],
    ['I keep receipts.', []],
    ["lol I'm vegan", []],
    ["I'm a millionaire, not really", []],
    ["I'm cold.", []],
    ['I dress up as a pirate.', []],
    ['I spend most of my time at work.', []],
    ['My husband spends his weekends fishing.', []],
    ["I'm going to the dentist in March.", []],
    ["I'm having lunch with Sam in June.", []],
    ['My husband is doing a course in French.', []],
    ["I'm sick today.", []],
    ["I'm turning 40 in May.", []],
    ["I'm seeing a film next week.", []],
    ['I want to cut back on my hours.', []],
    ["My sister has a dog, she's called Bella.", []],
    ["I'm a bit of a mess today.", []],
    ["I don't do mornings.", []],
    ["forget Tom, he's not worth it", []],
    ["I don't do French films.", []],
  ],
};

describe('RuleBasedExtractor on everyday statements', () => {
  for (const [category, cases] of Object.entries(categories)) {
    describe(category, () => {
      it.each(cases)('%s', async (content, expected) => {
        expect((await added(content)).sort()).toEqual([...expected].sort());
      });
    });
  }
});

describe('RuleBasedExtractor: changes that update or delete', () => {
  it.each<[string, [string, string][], string[], [string, string][]]>([
    [
      'quitting one employer for a role at another changes both',
      [
        ['work/company', 'Works at Nokia'],
        ['work/title', 'Works as a tester'],
      ],
      ['I quit Nokia and now work as a data engineer at Wolt.'],
      [
        ['work/company', 'Works at Wolt'],
        ['work/title', 'Works as a data engineer'],
      ],
    ],
    [
      'something on record put on the back burner is removed, however it is named',
      [['education/learning', 'Is learning the cello']],
      ['the cello is on the back burner for now'],
      [],
    ],
    [
      'an employer left with its job ends the role held there too',
      [
        ['work/company', 'Works at Barclays'],
        ['work/title', 'Works as a cashier'],
      ],
      ['jacked in the Barclays job last week'],
      [],
    ],
    [
      'lessons done with end the learning',
      [['education/learning', 'Is learning Spanish']],
      ['Spanish lessons are done with, I am fluent now'],
      [],
    ],
    [
      'a divorce from the partner on record, said as a couple',
      [['family/partner', 'Married to Jonas']],
      ['Jonas and I finalised the divorce in May'],
      [],
    ],
    [
      'a degree finished replaces the one under way',
      [['education/degree', 'Is doing a PhD in chemistry']],
      ['I finally finished my PhD!'],
      [['education/degree', 'Has a PhD']],
    ],
    [
      'a correction names what it is not',
      [['basic_info/location', 'Lives in Leeds']],
      ['scratch that, I live in York not Leeds'],
      [['basic_info/location', 'Lives in York']],
    ],
    [
      'joining an organisation as a known role changes both',
      [
        ['work/company', 'Works at Deloitte'],
        ['work/title', 'Works as a consultant'],
      ],
      ['I left Deloitte and joined a startup as a product manager'],
      [
        ['work/company', 'Works at a startup'],
        ['work/title', 'Works as a product manager'],
      ],
    ],
    [
      'a pet lost is removed',
      [['pets/cats', 'Has a cat named Pickle']],
      ['we lost Pickle in the summer, she was 18'],
      [],
    ],
    [
      'a new job starting on a weekday',
      [['life_event/events', 'Left their job']],
      ['starting monday as a cookery teacher at a sixth form college'],
      [
        ['life_event/events', 'Left their job'],
        ['work/company', 'Works at a sixth form college'],
        ['work/title', 'Works as a cookery teacher'],
      ],
    ],
    [
      'losing touch is no loss',
      [['family/siblings', 'Has a brother named Tom']],
      ['I lost touch with Tom years ago'],
      [['family/siblings', 'Has a brother named Tom']],
    ],
    [
      'an ending only thought about changes nothing',
      [['work/company', 'Works at Barclays']],
      ["I'm thinking of quitting Barclays"],
      [['work/company', 'Works at Barclays']],
    ],
    [
      'leaving a thing somewhere ends nothing',
      [['interests/music', 'Plays the guitar']],
      ["I left my guitar at my mum's"],
      [['interests/music', 'Plays the guitar']],
    ],
    [
      'giving up on learning something removes it',
      [['education/learning', 'Is learning Mandarin']],
      ['I gave up on learning Mandarin last year.'],
      [],
    ],
    [
      'asking not to remember a fact removes it',
      [['pets/cats', 'Has a cat named Miso']],
      ["Please don't remember that I have a cat anymore."],
      [],
    ],
    [
      'a move replaces the home',
      [['basic_info/location', 'Lives in Turin']],
      ["We've moved to Genoa."],
      [['basic_info/location', 'Lives in Genoa']],
    ],
    [
      'a diet switch replaces the diet',
      [['food/diet', 'Is vegan']],
      ['I went pescatarian in the summer.'],
      [['food/diet', 'Is pescatarian']],
    ],
    [
      'an activity given up is removed from whichever interest slot holds it',
      [['interests/sports', 'Likes climbing']],
      ["I don't climb anymore."],
      [],
    ],
    [
      '"not really" before a verb is a hedge of degree, not a joke; a switch to a pastime takes it up',
      [['interests/sports', 'Plays squash']],
      ["I don't really play squash anymore. I've switched to rowing"],
      [['interests/sports', 'Likes rowing']],
    ],
    [
      'an activity no longer done ("I don\'t do X anymore") is removed',
      [['education/learning', 'Is learning Italian']],
      ["I don't do Italian anymore, too busy."],
      [],
    ],
    [
      'a forget request said to the assistant about a thing, with its reason after a comma',
      [['health/allergies', 'Allergic to latex']],
      ['You can forget the latex allergy, it was a false alarm.'],
      [],
    ],
    [
      'asking not to remember a pet by its name',
      [
        ['pets/cats', 'Has a cat named Miso'],
        ['basic_info/location', 'Lives in Turin'],
      ],
      ['Could you not remember Miso anymore, she lives with my aunt now.'],
      [['basic_info/location', 'Lives in Turin']],
    ],
    [
      "handing in one's notice leaves the employer",
      [['work/company', 'Works at Boots']],
      ['I handed in my notice at Boots on Friday.'],
      [['life_event/events', 'Left their job']],
    ],
    [
      'a giving up said without its subject',
      [['education/learning', 'Is learning the banjo']],
      ['gave up on the banjo, too fiddly'],
      [],
    ],
    [
      'a negated state said without its subject',
      [['food/diet', 'Is pescatarian']],
      ['not pescatarian any more, to be honest'],
      [],
    ],
    [
      'not remembering a name anymore is a forget request',
      [['family/partner', 'Has a girlfriend named Kate']],
      ["Please don't remember Kate anymore, it's over."],
      [],
    ],
    [
      'a name asked to be forgotten with "please"',
      [['pets/dogs', 'Has a dog named Biscuit']],
      ['please forget Biscuit, he lives with my ex now'],
      [],
    ],
    [
      'getting divorced ends the marriage on record',
      [['family/partner', 'Married to Sam']],
      ['Sam and I are getting divorced.'],
      [['family/partner', 'Is separated']],
    ],
    [
      'a birthday said with its ordinal is the new age',
      [['basic_info/age', 'Is 33']],
      ['It was my 34th birthday on Friday.'],
      [['basic_info/age', 'Is 34 years old']],
    ],
    [
      'a birth ends a pregnancy',
      [['health/conditions', 'Is pregnant']],
      ['Our daughter was born on Sunday!'],
      [
        ['family/children', 'Has a daughter'],
        ['life_event/events', 'Had a baby'],
      ],
    ],
    [
      'a new major replaces the old one',
      [['education/major', 'Studies history']],
      ['I switched my major from history to law.'],
      [['education/major', 'Studies law']],
    ],
    [
      'a thing that was not for the user is removed',
      [['education/learning', 'Is learning the violin']],
      ["The violin wasn't for me."],
      [],
    ],
    [
      'drinking again ends "does not drink"',
      [['food/restrictions', 'Does not drink alcohol']],
      ['I drink wine again these days.'],
      [['food/likes', 'Drinks wine']],
    ],
    [
      'a death of the partner on record widows the user',
      [['family/partner', 'Is married to Ben']],
      ['Ben passed away last spring.'],
      [['family/partner', 'Is widowed']],
    ],
    [
      'a death of someone else of no record changes nothing',
      [['family/partner', 'Is married to Sam']],
      ['Ben passed away.'],
      [['family/partner', 'Is married to Sam']],
    ],
    [
      'an employer that let the user go is taken back',
      [['work/company', 'Works at Shell']],
      ['Shell let me go in March.'],
      [['life_event/events', 'Lost their job']],
    ],
    [
      'an activity not done in years is taken back',
      [['interests/hobbies', 'Likes painting']],
      ["I haven't painted in years."],
      [],
    ],
    [
      'quitting an employer ends its title too',
      [
        ['work/company', 'Works at Tesco'],
        ['work/title', 'Works as a cashier'],
      ],
      ["I quit Tesco, I'm delivering for Amazon now."],
      [['work/company', 'Delivers for Amazon']],
    ],
    [
      'a divorce replaces the marriage',
      [['family/partner', 'Is married']],
      ['My wife and I got divorced earlier this year.'],
      [
        ['family/partner', 'Is divorced'],
        ['life_event/events', 'Got divorced (March 2026)'],
      ],
    ],
    [
      'a rehomed pet is taken back',
      [['pets/dogs', 'Has a dog named Bruno']],
      ['We had to rehome Bruno last month.'],
      [],
    ],
    [
      'dropping out ends the school, major and degree',
      [
        ['education/school', 'Studies at Exeter'],
        ['education/major', 'Studies history'],
      ],
      ['I dropped out of university and got an apprenticeship as a plumber.'],
      [
        ['work/title', 'Works as a plumber'],
        ['life_event/events', 'Started a new job'],
      ],
    ],
    [
      'a passed driving test ends the wish to learn to drive',
      [['psychological/goals', 'Wants to learn to drive']],
      ['Passed my driving test today!'],
      [['life_event/events', 'Passed their driving test (March 2026)']],
    ],
    [
      'an allergy that turned out not to be one is taken back',
      [['health/allergies', 'Allergic to dogs']],
      ["Turns out I'm not allergic to dogs after all."],
      [],
    ],
    [
      'a move from one city to another replaces the home',
      [['basic_info/location', 'Lives in Porto']],
      ['We relocated from Porto to Braga in the spring.'],
      [['basic_info/location', 'Lives in Braga']],
    ],
    [
      'a pet that died is taken back, and does not widow the user',
      [
        ['family/partner', 'Is married to Dan'],
        ['pets/dogs', 'Has a dog named Biscuit'],
      ],
      ['Biscuit died last week.'],
      [['family/partner', 'Is married to Dan']],
    ],
    [
      'no longer at an employer takes back the job',
      [
        ['work/company', 'Works at Initech'],
        ['work/title', 'Works as an analyst'],
      ],
      ["I'm no longer with Initech."],
      [],
    ],
    [
      'forget without "that" takes the statement back',
      [['pets/cats', 'Has a cat']],
      ['Please forget I have a cat.'],
      [],
    ],
    [
      'a negated state without its subject takes it back',
      [['education/learning', 'Is learning Greek']],
      ['Not learning Greek any more.'],
      [],
    ],
    [
      'giving something up without "on" takes it back',
      [['interests/music', 'Plays the trumpet']],
      ['I gave up the trumpet.'],
      [],
    ],
    [
      'smoke-free ends smoking',
      [['health/conditions', 'Smokes']],
      ["I've been smoke-free since January!"],
      [['health/conditions', 'Quit smoking']],
    ],
    [
      'asking not to store a topic forgets it',
      [['basic_info/location', 'Lives in Leeds']],
      ["Please don't save where I live."],
      [],
    ],
    [
      'fluent ends learning',
      [['education/learning', 'Is learning German']],
      ["I'm fluent in German now."],
      [['basic_info/languages', 'Speaks German']],
    ],
    [
      'a pet given to someone else is taken back',
      [['pets/cats', 'Has a cat named Pixel']],
      ['We gave Pixel to my aunt.'],
      [],
    ],
    [
      'a birthday said with its number updates the age',
      [['basic_info/age', 'Is 29 years old']],
      ['Just had my 30th birthday!'],
      [['basic_info/age', 'Is 30 years old']],
    ],
    ['a diet one is done with is taken back', [['food/diet', 'Follows a paleo diet']], ["I'm done with paleo."], []],
    [
      'lessons stopped take back the learning',
      [['education/learning', 'Is learning the cello']],
      ['I quit my cello lessons in the spring.'],
      [],
    ],
    [
      'an instrument not touched in years is taken back',
      [['interests/music', 'Plays the banjo']],
      ["Haven't touched my banjo in ages."],
      [],
    ],
    [
      'a statement asked to be forgotten, with its correction, is taken back',
      [['food/diet', 'Is vegetarian']],
      ["Forget that I'm vegetarian, I eat fish now."],
      [['food/likes', 'Eats fish']],
    ],
    [
      'a switch from one thing to another replaces it where it is remembered',
      [['interests/sports', 'Plays squash']],
      ['I moved from squash to padel this year.'],
      [['interests/sports', 'Plays padel']],
    ],
    [
      'a switch after giving something up takes its place',
      [['education/learning', 'Is learning Italian']],
      ["I'm done with Italian for now, switching to Greek."],
      [['education/learning', 'Is learning Greek']],
    ],
    [
      'a switch to something nothing remembers changes nothing',
      [['education/learning', 'Is learning Italian']],
      ["I'm switching to a new phone plan."],
      [['education/learning', 'Is learning Italian']],
    ],
    [
      'a give-up one had to make is a give-up, whatever the reason',
      [['interests/sports', 'Plays rugby']],
      ['I had to stop playing rugby after my injury.'],
      [],
    ],
    [
      'something taken up instead of what was quit takes its place',
      [['education/learning', 'Is learning Korean']],
      ['I quit learning Korean and started on Japanese instead.'],
      [['education/learning', 'Is learning Japanese']],
    ],
    [
      'a request to delete the stuff about a pet, asked as a question',
      [['pets/cats', 'Has a cat named Smudge']],
      ['Could you delete the stuff about my cat Smudge?'],
      [],
    ],
    [
      'an ordinal birthday says the new age',
      [['basic_info/age', 'Is 39 years old']],
      ["It's my 40th birthday today!"],
      [['basic_info/age', 'Is 40 years old']],
    ],
    [
      'a new place said after leaving the old one replaces it',
      [['basic_info/location', 'Lives in Glasgow']],
      ['We moved out in March, the new flat is in Leith.'],
      [['basic_info/location', 'Lives in Leith']],
    ],
    [
      'a thing one is done with is taken back',
      [['education/learning', 'Is learning Portuguese']],
      ["I'm done with Portuguese."],
      [],
    ],
    [
      'a thing put on hold is taken back',
      [['interests/music', 'Plays the guitar']],
      ['Guitar is on hold for now.'],
      [],
    ],
    [
      'a thing asked to be forgotten goes from every slot that names it',
      [
        ['interests/hobbies', 'Plays chess'],
        ['food/diet', 'Is vegan'],
      ],
      ['Forget what I told you about chess.'],
      [['food/diet', 'Is vegan']],
    ],
    [
      'a pet asked not to be remembered anymore is taken back',
      [['pets/other_pets', 'Has a hamster named Nibbles']],
      ["Please don't remember anything about my hamster anymore."],
      [],
    ],
    [
      'a name asked to be removed is taken back',
      [['pets/dogs', 'Has a dog named Rex']],
      ['Please remove Rex from your memory.'],
      [],
    ],
  ])('%s', async (_name, existing, turns, expected) => {
    expect((await after(existing, ...turns)).sort()).toEqual([...expected].sort());
  });
});
