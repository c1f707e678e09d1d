import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import {
  collectIntents,
  RuleBasedExtractor,
  summaryToFirstPerson,
} from '../../src/infra/extraction/rules/rule-based.extractor.js';
import { STATEMENT_RULES } from '../../src/infra/extraction/rules/statements.js';
import type {
  ChatMessage,
  ExistingMemory,
  ExtractionResult,
  MemoryOperation,
  ProfileConfig,
} from '../../src/domain/types.js';

const NOW = new Date('2025-06-15T10:00:00Z');
const extractor = new RuleBasedExtractor();

function run(
  messages: ChatMessage[] | string,
  existing: ExistingMemory[] = [],
  profile: ProfileConfig = DEFAULT_PROFILE_CONFIG,
): Promise<ExtractionResult> {
  const list = typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages;
  return extractor.extract({ messages: list, profile, existing, now: NOW });
}

/** The ADDs of a batch with no existing memories, as ["topic/subTopic", "text"]. */
async function facts(content: string): Promise<[string, string][]> {
  const { operations } = await run(content);
  return operations.flatMap((op) =>
    op.kind === 'ADD' ? [[`${op.topic}/${op.subTopic}`, op.text] as [string, string]] : [],
  );
}

const memory = (id: string, slot: string, text: string): ExistingMemory => {
  const [topic, subTopic] = slot.split('/') as [string, string];
  return { id, text, topic, subTopic };
};

const brief = (op: MemoryOperation): string => {
  switch (op.kind) {
    case 'ADD':
      return `ADD ${op.topic}/${op.subTopic}: ${op.text}`;
    case 'UPDATE':
      return `UPDATE ${op.memoryId} ${op.topic}/${op.subTopic}: ${op.text}`;
    case 'DELETE':
      return `DELETE ${op.memoryId}`;
    case 'NONE':
      return `NONE ${op.memoryId}`;
  }
};

describe('RuleBasedExtractor: statements it understands', () => {
  const cases: [string, [string, string][]][] = [
    // names
    ["Hi, I'm Alex.", [['basic_info/name', 'Name is Alex']]],
    ['My name is Alex', [['basic_info/name', 'Name is Alex']]],
    ['my name is alex', [['basic_info/name', 'Name is Alex']]],
    ["I'm Alex Smith.", [['basic_info/name', 'Name is Alex Smith']]],
    ['Call me Al.', [['basic_info/nickname', 'Prefers to be called Al']]],
    [
      'My name is Alexander, but you can call me Al.',
      [
        ['basic_info/name', 'Name is Alexander'],
        ['basic_info/nickname', 'Prefers to be called Al'],
      ],
    ],
    ['Everyone calls me Sasha.', [['basic_info/nickname', 'Prefers to be called Sasha']]],
    [
      "I'm Alex from Berlin.",
      [
        ['basic_info/name', 'Name is Alex'],
        ['basic_info/origin', 'Is from Berlin'],
      ],
    ],
    // age, birthday, gender
    ["I'm 34.", [['basic_info/age', 'Is 34 years old']]],
    ['I am 34 years old.', [['basic_info/age', 'Is 34 years old']]],
    ['I just turned 40!', [['basic_info/age', 'Is 40 years old']]],
    [
      "I'm Alex, 34, from Berlin.",
      [
        ['basic_info/name', 'Name is Alex'],
        ['basic_info/age', 'Is 34 years old'],
        ['basic_info/origin', 'Is from Berlin'],
      ],
    ],
    ['My birthday is on May 3rd.', [['basic_info/birthday', 'Birthday is May 3']]],
    ['My birthday is the 3rd of May', [['basic_info/birthday', 'Birthday is May 3']]],
    ['My birthday is today!', [['basic_info/birthday', 'Birthday is June 15']]],
    ['I was born on May 3, 1990.', [['basic_info/birthday', 'Was born on May 3, 1990']]],
    ['I was born in 1990.', [['basic_info/birthday', 'Was born in 1990']]],
    ['I was born in Madrid.', [['basic_info/birthplace', 'Was born in Madrid']]],
    ["I'm a woman.", [['basic_info/gender', 'Is female']]],
    ['My pronouns are they/them.', [['basic_info/pronouns', 'Uses they/them pronouns']]],
    // where the user lives and comes from
    ['I live in Berlin.', [['basic_info/location', 'Lives in Berlin']]],
    ['i live in new york city', [['basic_info/location', 'Lives in New York City']]],
    ['I live in Munich, Germany with my wife.', [['basic_info/location', 'Lives in Munich, Germany']]],
    ["I've been living in Lisbon since 2019.", [['basic_info/location', 'Lives in Lisbon']]],
    ["I'm based in London.", [['basic_info/location', 'Lives in London']]],
    ['I just moved to Munich.', [['basic_info/location', 'Lives in Munich']]],
    ['We relocated to Austin last year.', [['basic_info/location', 'Lives in Austin']]],
    ['My wife and I moved to Zurich.', [['basic_info/location', 'Lives in Zurich']]],
    ["I'm from Spain.", [['basic_info/origin', 'Is from Spain']]],
    [
      "I'm originally from Spain but I live in Madrid now.",
      [
        ['basic_info/origin', 'Is from Spain'],
        ['basic_info/location', 'Lives in Madrid'],
      ],
    ],
    ['I grew up in Lyon.', [['basic_info/origin', 'Is from Lyon']]],
    ["We're moving to Lisbon next month.", [['life_event/plans', 'Plans to move to Lisbon in July 2025']]],
    ["I'm German.", [['basic_info/nationality', 'Is German']]],
    ['I have Irish citizenship.', [['basic_info/nationality', 'Is Irish']]],
    // languages
    [
      'I speak German and French.',
      [
        ['basic_info/languages', 'Speaks German'],
        ['basic_info/languages', 'Speaks French'],
      ],
    ],
    [
      'I speak English, Spanish, and a little Japanese.',
      [
        ['basic_info/languages', 'Speaks English'],
        ['basic_info/languages', 'Speaks Spanish'],
        ['basic_info/languages', 'Speaks Japanese'],
      ],
    ],
    ["I'm fluent in Portuguese.", [['basic_info/languages', 'Speaks Portuguese']]],
    ['My native language is Polish.', [['basic_info/languages', 'Native language is Polish']]],
    // work
    [
      'I work at Acme as a data engineer.',
      [
        ['work/company', 'Works at Acme'],
        ['work/title', 'Works as a data engineer'],
      ],
    ],
    ['I work for Google.', [['work/company', 'Works at Google']]],
    ['I work as a nurse.', [['work/title', 'Works as a nurse']]],
    ["I'm a nurse.", [['work/title', 'Works as a nurse']]],
    ["I'm an accountant.", [['work/title', 'Works as an accountant']]],
    [
      "I'm a software engineer at Spotify.",
      [
        ['work/company', 'Works at Spotify'],
        ['work/title', 'Works as a software engineer'],
      ],
    ],
    [
      "I'm the CTO of a small startup.",
      [
        ['work/company', 'Works at a small startup'],
        ['work/title', 'Works as CTO'],
      ],
    ],
    ['I work for myself.', [['work/title', 'Is self-employed']]],
    ["I'm retired.", [['work/title', 'Is retired']]],
    [
      "I'm a student at MIT.",
      [
        ['work/title', 'Is a student'],
        ['education/school', 'Studies at MIT'],
      ],
    ],
    ['I work in finance.', [['work/industry', 'Works in finance']]],
    ['I run a small bakery.', [['work/company', 'Runs a small bakery']]],
    [
      "I'm good at Python and SQL.",
      [
        ['work/work_skills', 'Is skilled in Python'],
        ['work/work_skills', 'Is skilled in SQL'],
      ],
    ],
    [
      'I just started a new job at Google!',
      [
        ['work/company', 'Works at Google'],
        ['life_event/events', 'Started a new job (June 2025)'],
      ],
    ],
    [
      'I got promoted to team lead.',
      [
        ['work/title', 'Works as a team lead'],
        ['life_event/events', 'Got promoted'],
      ],
    ],
    [
      'I retired last year.',
      [
        ['work/title', 'Is retired'],
        ['life_event/events', 'Retired in 2024'],
      ],
    ],
    [
      'We got married in 2010.',
      [
        ['family/partner', 'Is married'],
        ['life_event/events', 'Got married in 2010'],
      ],
    ],
    ['I plan to run a marathon in October.', [['life_event/plans', 'Plans to run a marathon in October 2025']]],
    // education
    [
      "I'm studying computer science at TU Munich.",
      [
        ['education/major', 'Studies computer science'],
        ['education/school', 'Studies at TU Munich'],
      ],
    ],
    ['I graduated from Stanford University.', [['education/school', 'Graduated from Stanford University']]],
    [
      "I have a master's degree in physics.",
      [
        ['education/degree', "Has a master's degree in physics"],
        ['education/major', 'Studied physics'],
      ],
    ],
    [
      "I'm doing a PhD in biology.",
      [
        ['education/degree', 'Is pursuing a PhD in biology'],
        ['education/major', 'Studies biology'],
      ],
    ],
    ["I'm learning Spanish.", [['education/learning', 'Is learning Spanish']]],
    // family
    ["I'm married.", [['family/partner', 'Is married']]],
    [
      "I'm married with two kids.",
      [
        ['family/partner', 'Is married'],
        ['family/children', 'Has two children'],
      ],
    ],
    ["I'm engaged to Sam.", [['family/partner', 'Is engaged to Sam']]],
    [
      'We just got married!',
      [
        ['family/partner', 'Is married'],
        ['life_event/events', 'Got married (June 2025)'],
      ],
    ],
    ['My wife Anna is a doctor.', [['family/partner', 'Has a wife named Anna']]],
    ["My husband's name is Tom.", [['family/partner', 'Has a husband named Tom']]],
    ['I have two kids.', [['family/children', 'Has two children']]],
    ['I have a daughter named Mia.', [['family/children', 'Has a daughter named Mia']]],
    ["I don't have kids.", [['family/children', 'Has no children']]],
    ["I'm a mother of three.", [['family/children', 'Has three children']]],
    [
      'We just had a baby boy!',
      [
        ['family/children', 'Has a son'],
        ['life_event/events', 'Had a baby (June 2025)'],
      ],
    ],
    ['My sister Anna lives in Rome.', [['family/siblings', 'Has a sister named Anna']]],
    ['I have two brothers.', [['family/siblings', 'Has two brothers']]],
    ["I'm an only child.", [['family/siblings', 'Is an only child']]],
    ['My mom Maria is visiting next week.', [['family/parents', 'Has a mother named Maria']]],
    // pets
    ['I have a dog named Rex.', [['pets/dogs', 'Has a dog named Rex']]],
    ['I have a dog.', [['pets/dogs', 'Has a dog']]],
    ['We have two cats, Luna and Milo.', [['pets/cats', 'Has two cats named Luna and Milo']]],
    ['I have a black cat.', [['pets/cats', 'Has a black cat']]],
    ['We adopted a puppy!', [['pets/dogs', 'Has a puppy']]],
    ['I have a hamster called Nibbles.', [['pets/other_pets', 'Has a hamster named Nibbles']]],
    ['My dog Rex loves the beach.', [['pets/dogs', 'Has a dog named Rex']]],
    // food
    ["I'm vegetarian.", [['food/diet', 'Is vegetarian']]],
    ["I'm a vegetarian.", [['food/diet', 'Is vegetarian']]],
    ["I'm vegan.", [['food/diet', 'Is vegan']]],
    ["I've been pescetarian for ten years.", [['food/diet', 'Is pescatarian']]],
    ['I follow a keto diet.', [['food/diet', 'Follows a keto diet']]],
    ['I keep kosher.', [['food/diet', 'Keeps kosher']]],
    ["I don't eat meat.", [['food/restrictions', 'Does not eat meat']]],
    [
      "I don't eat pork or beef.",
      [
        ['food/restrictions', 'Does not eat pork'],
        ['food/restrictions', 'Does not eat beef'],
      ],
    ],
    ["I don't drink alcohol.", [['food/restrictions', 'Does not drink alcohol']]],
    ["I can't eat gluten.", [['food/restrictions', 'Cannot eat gluten']]],
    ["I'm sober.", [['food/restrictions', 'Does not drink alcohol']]],
    // health
    ["I'm allergic to nuts.", [['health/allergies', 'Allergic to nuts']]],
    [
      "I'm vegetarian and allergic to nuts.",
      [
        ['food/diet', 'Is vegetarian'],
        ['health/allergies', 'Allergic to nuts'],
      ],
    ],
    [
      "I'm severely allergic to peanuts, shellfish and penicillin.",
      [
        ['health/allergies', 'Allergic to peanuts'],
        ['health/allergies', 'Allergic to shellfish'],
        ['health/allergies', 'Allergic to penicillin'],
      ],
    ],
    ['I have a peanut allergy.', [['health/allergies', 'Allergic to peanuts']]],
    ['I have a cat allergy.', [['health/allergies', 'Allergic to cats']]],
    ["I'm lactose intolerant.", [['health/allergies', 'Is lactose intolerant']]],
    ['I have asthma.', [['health/conditions', 'Has asthma']]],
    ['I have type 2 diabetes.', [['health/conditions', 'Has type 2 diabetes']]],
    ["I'm diabetic.", [['health/conditions', 'Has diabetes']]],
    // likes and dislikes
    ['I love hiking.', [['interests/hobbies', 'Likes hiking']]],
    ['I really enjoy rock climbing.', [['interests/sports', 'Likes rock climbing']]],
    [
      'I love hiking, skiing and reading.',
      [
        ['interests/hobbies', 'Likes hiking'],
        ['interests/sports', 'Likes skiing'],
        ['interests/hobbies', 'Likes reading'],
      ],
    ],
    ['I like to cook.', [['interests/hobbies', 'Likes cooking']]],
    ['I love sushi.', [['food/likes', 'Likes sushi']]],
    ['I love mac and cheese.', [['food/likes', 'Likes mac and cheese']]],
    ['I hate cilantro.', [['food/dislikes', 'Dislikes cilantro']]],
    ["I don't like horror movies.", [['interests/dislikes', 'Dislikes horror movies']]],
    ["I'm not a fan of country music.", [['interests/dislikes', 'Dislikes country music']]],
    [
      "I'm into jazz and hip hop.",
      [
        ['interests/music', 'Likes jazz'],
        ['interests/music', 'Likes hip hop'],
      ],
    ],
    ["I'm a huge fan of Taylor Swift.", [['interests/likes', 'Likes Taylor Swift']]],
    ['I love tennis.', [['interests/sports', 'Likes tennis']]],
    ['My favorite band is Radiohead.', [['interests/music', 'Favorite band is Radiohead']]],
    ['My favourite food is sushi.', [['food/likes', 'Favorite food is sushi']]],
    ['Dune is my favorite book.', [['interests/books', 'Favorite book is Dune']]],
    ['My favorite book is "Dune".', [['interests/books', 'Favorite book is Dune']]],
    ['My favorite movie is The Matrix.', [['interests/movies', 'Favorite movie is The Matrix']]],
    ['My favorite color is blue.', [['interests/likes', 'Favorite color is blue']]],
    ['I play the guitar.', [['interests/music', 'Plays the guitar']]],
    [
      'I play tennis and chess.',
      [
        ['interests/sports', 'Plays tennis'],
        ['interests/hobbies', 'Plays chess'],
      ],
    ],
    ['I go climbing every weekend.', [['interests/hobbies', 'Goes climbing']]],
    ['I go to the gym.', [['interests/hobbies', 'Goes to the gym']]],
    [
      'My hobbies are reading and chess.',
      [
        ['interests/hobbies', 'Likes reading'],
        ['interests/hobbies', 'Likes chess'],
      ],
    ],
    ['In my free time I paint.', [['interests/hobbies', 'Likes painting']]],
    ['I prefer tea over coffee.', [['food/likes', 'Prefers tea over coffee']]],
    // personality and values
    ["I'm an introvert.", [['psychological/personality', 'Is an introvert']]],
    ["I'm a night owl.", [['psychological/personality', 'Is a night owl']]],
    ["I'm pretty shy.", [['psychological/personality', 'Is shy']]],
    ['I value honesty.', [['psychological/values', 'Values honesty']]],
    ['Family is really important to me.', [['psychological/values', 'Values family']]],
    // goals and plans
    ['I want to learn Spanish.', [['psychological/goals', 'Wants to learn Spanish']]],
    ["I'd like to learn to play the piano.", [['psychological/goals', 'Wants to learn to play the piano']]],
    ['I hope to visit Japan someday.', [['psychological/goals', 'Wants to visit Japan']]],
    ["I'm planning to run a marathon.", [['life_event/plans', 'Plans to run a marathon']]],
    ["I'm going to move to Lisbon next year.", [['life_event/plans', 'Plans to move to Lisbon in 2026']]],
    ['My goal is to run a marathon.', [['psychological/goals', 'Goal is to run a marathon']]],
    ['My goal this year is to read 20 books.', [['psychological/goals', 'Goal is to read 20 books']]],
    ["I'm trying to lose weight.", [['psychological/goals', 'Goal is to lose weight']]],
    ['I want to finish my degree.', [['psychological/goals', 'Wants to finish their degree']]],
    ['We just bought a house!', [['life_event/events', 'Bought a house (June 2025)']]],
    // several facts in one message, and role summary
    [
      "Hi, I'm Alex. I'm vegetarian and allergic to nuts. I live in Berlin.",
      [
        ['basic_info/name', 'Name is Alex'],
        ['food/diet', 'Is vegetarian'],
        ['health/allergies', 'Allergic to nuts'],
        ['basic_info/location', 'Lives in Berlin'],
      ],
    ],
    [
      'I live in Lisbon and I work at a bakery as a pastry chef, which I love a lot.',
      [
        ['basic_info/location', 'Lives in Lisbon'],
        ['work/company', 'Works at a bakery'],
        ['work/title', 'Works as a pastry chef'],
      ],
    ],
    [
      "I'm 29, I live in Oslo and I have a cat.",
      [
        ['basic_info/age', 'Is 29 years old'],
        ['basic_info/location', 'Lives in Oslo'],
        ['pets/cats', 'Has a cat'],
      ],
    ],
    [
      "I'm a nurse and a mother of two.",
      [
        ['work/title', 'Works as a nurse'],
        ['family/children', 'Has two children'],
      ],
    ],
    [
      'I love cats and have a dog.',
      [
        ['interests/likes', 'Likes cats'],
        ['pets/dogs', 'Has a dog'],
      ],
    ],
    ["I'm vegetarian, can you suggest a recipe?", [['food/diet', 'Is vegetarian']]],
    ['If it helps, I am vegan.', [['food/diet', 'Is vegan']]],
    [
      'I\u2019m vegetarian and I\u2019m from \u201cthe Netherlands\u201d.',
      [
        ['food/diet', 'Is vegetarian'],
        ['basic_info/origin', 'Is from the Netherlands'],
      ],
    ],
    [
      'im vegan and i dont eat honey',
      [
        ['food/diet', 'Is vegan'],
        ['food/restrictions', 'Does not eat honey'],
      ],
    ],
    [
      'I have a cat and two dogs.',
      [
        ['pets/cats', 'Has a cat'],
        ['pets/dogs', 'Has two dogs'],
      ],
    ],
    [
      'I have three kids and a dog named Max.',
      [
        ['family/children', 'Has three children'],
        ['pets/dogs', 'Has a dog named Max'],
      ],
    ],
    [
      'I code in TypeScript and Go.',
      [
        ['work/work_skills', 'Is skilled in TypeScript'],
        ['work/work_skills', 'Is skilled in Go'],
      ],
    ],
    ['I love living in Lisbon.', [['basic_info/location', 'Lives in Lisbon']]],
    ["I'm a sommelier.", [['work/title', 'Works as a sommelier']]],
    ['We own a café.', [['work/company', 'Runs a café']]],
    ['I believe in karma.', [['psychological/values', 'Believes in karma']]],
    ['We love hiking.', [['interests/hobbies', 'Likes hiking']]],
    [
      'Can you help me write a cover letter? I have five years of experience with Python and I love hiking.',
      [['interests/hobbies', 'Likes hiking']],
    ],
  ];

  it.each(cases)('%s', async (sentence, expected) => {
    expect(await facts(sentence)).toEqual(expected);
  });

  it('reads summaries written about the user', async () => {
    const { operations } = await run([
      { role: 'summary', content: 'The user is vegetarian and has a dog named Rex. The user lives in Porto.' },
    ]);
    expect(operations.map(brief)).toEqual([
      'ADD food/diet: Is vegetarian',
      'ADD pets/dogs: Has a dog named Rex',
      'ADD basic_info/location: Lives in Porto',
    ]);
    expect(summaryToFirstPerson("The user's name is Alex")).toBe('my name is Alex');
  });

  it.each(STATEMENT_RULES.map((r) => [r.kind, r.example] as const))(
    'the %s rule understands its own example: %s',
    (_kind, example) => {
      expect(collectIntents([{ role: 'user', content: example }], DEFAULT_PROFILE_CONFIG, NOW).length).toBeGreaterThan(
        0,
      );
    },
  );
});

describe('RuleBasedExtractor: what must not become a memory', () => {
  const nothing: string[] = [
    // questions
    'Am I allergic to nuts?',
    'Do you like hiking?',
    "What's my name?",
    'Where do I live?',
    'Do you think I should move to Berlin?',
    'I live in Berlin, right?',
    'what do you know about me',
    // hypotheticals, wishes and guesses
    'If I lived in Paris, I would walk everywhere.',
    'I would love to live in Paris.',
    "I'd love to visit Japan someday.",
    "Maybe I'll learn Spanish.",
    'I might move to Berlin next year.',
    'I could become a teacher.',
    'I wish I spoke French.',
    'Suppose I am vegetarian, what would I eat?',
    "I'll move to Paris if I get the job.",
    "I think I'm allergic to nuts.",
    "I'm not sure if I'm lactose intolerant.",
    "I'm thinking about moving to Lisbon.",
    'I should really learn to cook.',
    // requests to the assistant, not goals
    "I'd like to know how to sort a list in Python.",
    'I want to write an email to my boss.',
    'I want to buy a new laptop, which one?',
    'I need you to summarise this article.',
    // other people
    'My friend lives in Rome.',
    'My brother is vegetarian.',
    'He works at Google.',
    'My mom says I am allergic to nuts.',
    'My doctor told me I have asthma.',
    'She told me that I am a great cook.',
    // quoted text and reported speech
    '"I\'m allergic to nuts," my friend said.',
    'He wrote: "I live in Berlin and I love hiking."',
    '> I live in Berlin\n',
    'Can you fix this? ```const me = "I live in Berlin";```',
    // assistant and system turns are ignored (see below); jokes and sarcasm
    "I'm a billionaire lol",
    'I live in Atlantis. Just kidding!',
    'I have 12 cats 😂',
    'Oh sure, I just love Mondays.',
    'I love doing taxes /s',
    "Let's pretend I'm a pirate. I live on a ship and I love rum.",
    "In this story, I'm a detective who lives in London.",
    // things that look like statements but are not facts
    'I love it!',
    'I like your idea.',
    'I like the second option better.',
    'I love you.',
    "I'm tired.",
    "I'm fine, thanks.",
    "I'm in Paris for the weekend.",
    "I'm staying in a hotel.",
    "I'm sorry.",
    "I'm happy to help.",
    'I have a question about my cat.',
    'I have a hot dog for lunch.',
    'I work from home.',
    'I speak my mind.',
    'I live in a small apartment.',
    'I lived in Paris when I was a kid.',
    'Forget it.',
    'Forget about the dog, tell me about cats.',
    'Forget everything.',
    'Thanks!',
    'ok',
    // everyday requests to an assistant
    'I have a problem with my code.',
    'I want to create a React app.',
    'I am working on a project.',
    "I'm trying to install numpy.",
    "I'm looking for a restaurant.",
    'I want to learn about recursion.',
    'I want to run the tests.',
    "I'm going to the store.",
    'I have a meeting at 3.',
    'I go to bed at 11.',
    'I love that idea!',
    'I like both.',
    'I like concise responses.',
    'I love the new update.',
    'I like working with you.',
    'I am a big fan.',
    // past, unanchored or ambiguous
    'I used to be vegetarian.',
    'I had a dog.',
    'I moved here two years ago.',
    "i'm alex",
    'my wife anna is a doctor',
    'I live near the beach.',
  ];

  it.each(nothing)('%s', async (sentence) => {
    const result = await run(sentence);
    expect(result.operations).toEqual([]);
    expect(result.summary).toBe('No new facts');
  });

  it('ignores assistant and system messages', async () => {
    const { operations } = await run([
      { role: 'system', content: 'The user is vegetarian.' },
      { role: 'assistant', content: "I'm vegetarian too! I live in the cloud. My name is Claude." },
      { role: 'user', content: 'I live in Berlin.' },
    ]);
    expect(operations.map(brief)).toEqual(['ADD basic_info/location: Lives in Berlin']);
  });

  it('takes back the sentence before a bare "just kidding" only', async () => {
    expect((await facts("I'm vegan. I have a pet tiger. Just kidding!")).map(([, t]) => t)).toEqual(['Is vegan']);
  });
});

describe('RuleBasedExtractor: decisions against existing memories', () => {
  const INTRO = "Hi, I'm Alex. I'm vegetarian and allergic to nuts. I live in Berlin.";
  const known = [
    memory('m-name', 'basic_info/name', 'Name is Alex'),
    memory('m-diet', 'food/diet', 'Is vegetarian'),
    memory('m-nuts', 'health/allergies', 'Allergic to nuts'),
    memory('m-city', 'basic_info/location', 'Lives in Berlin'),
    memory('m-sushi', 'food/likes', 'Likes sushi'),
    memory('m-beer', 'food/likes', 'Likes Belgian beer'),
    memory('m-job', 'work/company', 'Works at Acme'),
    memory('m-title', 'work/title', 'Works as a data engineer'),
    memory('m-hike', 'interests/hobbies', 'Likes hiking'),
  ];

  it('adds every fact of a first introduction', async () => {
    const result = await run(INTRO);
    expect(result.operations.map(brief)).toEqual([
      'ADD basic_info/name: Name is Alex',
      'ADD food/diet: Is vegetarian',
      'ADD health/allergies: Allergic to nuts',
      'ADD basic_info/location: Lives in Berlin',
    ]);
    expect(result.summary).toBe('Name is Alex; Is vegetarian; Allergic to nuts; Lives in Berlin');
    expect(result.tags).toEqual(['basic_info', 'food', 'health']);
    expect(result.usage).toBeNull();
  });

  it('repeating the introduction changes nothing: NONE for each known fact', async () => {
    const result = await run(INTRO, known);
    expect(result.operations).toEqual([
      { kind: 'NONE', memoryId: 'm-name', text: 'Name is Alex' },
      { kind: 'NONE', memoryId: 'm-diet', text: 'Is vegetarian' },
      { kind: 'NONE', memoryId: 'm-nuts', text: 'Allergic to nuts' },
      { kind: 'NONE', memoryId: 'm-city', text: 'Lives in Berlin' },
    ]);
    expect(result.summary).toBe('No new facts');
  });

  it('matches equivalent memories whatever their case and punctuation', async () => {
    const result = await run('I live in Berlin.', [memory('m1', 'Basic_Info/Location', 'lives in berlin.')]);
    expect(result.operations).toEqual([{ kind: 'NONE', memoryId: 'm1', text: 'lives in berlin.' }]);
  });

  it('UPDATEs a single-valued slot, keeping the memory (so its history keeps the old value)', async () => {
    const result = await run('I just moved to Munich.', known);
    expect(result.operations).toEqual([
      {
        kind: 'UPDATE',
        memoryId: 'm-city',
        text: 'Lives in Munich',
        topic: 'basic_info',
        subTopic: 'location',
        categories: ['personal'],
      },
    ]);
    expect(result.summary).toBe('Lives in Munich (updated)');
  });

  it.each([
    ["I'm vegan now.", 'UPDATE m-diet food/diet: Is vegan'],
    ['I work at Globex now.', 'UPDATE m-job work/company: Works at Globex'],
    ["I'm a product manager.", 'UPDATE m-title work/title: Works as a product manager'],
    ['My name is Alexandra.', 'UPDATE m-name basic_info/name: Name is Alexandra'],
  ])('single-valued: %s', async (sentence, expected) => {
    expect((await run(sentence, known)).operations.map(brief)).toEqual([expected]);
  });

  it('adds to multi-valued slots and NONEs the repeated values', async () => {
    const result = await run("I'm allergic to nuts and shellfish.", known);
    expect(result.operations.map(brief)).toEqual(['NONE m-nuts', 'ADD health/allergies: Allergic to shellfish']);
  });

  it('turns a like into a dislike in place', async () => {
    const result = await run("I don't like sushi anymore.", known);
    expect(result.operations.map(brief)).toEqual(['UPDATE m-sushi food/dislikes: Dislikes sushi']);
  });

  it.each([
    ["I'm not vegetarian anymore.", ['DELETE m-diet']],
    ["I'm no longer a vegetarian.", ['DELETE m-diet']],
    ['I no longer live in Berlin.', ['DELETE m-city']],
    ["I don't live in Berlin anymore.", ['DELETE m-city']],
    ['I moved away from Berlin.', ['DELETE m-city']],
    ["I don't work at Acme anymore.", ['DELETE m-job']],
    ['I left Acme.', ['DELETE m-job']],
    ['I lost my job.', ['DELETE m-job']],
    ["I'm not allergic to nuts.", ['DELETE m-nuts']],
    ['Forget that I am vegetarian.', ['DELETE m-diet']],
    ["I don't live in Paris anymore.", []],
  ])('retraction: %s', async (sentence, expected) => {
    const ops = (await run(sentence, known)).operations.filter((op) => op.kind !== 'ADD');
    expect(ops.map(brief)).toEqual(expected);
    for (const op of ops) if (op.kind === 'DELETE') expect(op.reason).toMatch(/took it back|forget/);
  });

  it.each([
    ['Forget my food preferences.', ['DELETE m-diet', 'DELETE m-sushi', 'DELETE m-beer']],
    ['Please forget what I told you about my job.', ['DELETE m-job', 'DELETE m-title']],
    ['Forget everything about my diet.', ['DELETE m-diet']],
    ['Can you forget my name?', ['DELETE m-name']],
    ['forget where I live', ['DELETE m-city']],
    ['Forget my hobbies and my allergies.', ['DELETE m-nuts', 'DELETE m-hike']],
    ['Delete everything you know about my work.', ['DELETE m-job', 'DELETE m-title']],
    ['Delete my name from this letter.', []],
  ])('forget request: %s', async (sentence, expected) => {
    const result = await run(sentence, known);
    expect(result.operations.map(brief)).toEqual(expected);
    if (expected.length > 0) {
      expect(result.summary).toBe(`forgot ${expected.length} ${expected.length === 1 ? 'memory' : 'memories'}`);
      expect(
        result.operations.every((op) => op.kind === 'DELETE' && op.reason.includes(sentence.replace(/[.?]$/, ''))),
      ).toBe(true);
    }
  });

  it('the last mention of a single-valued slot in a batch wins, as one operation', async () => {
    const messages = [
      { role: 'user', content: 'I live in Paris.' },
      { role: 'assistant', content: 'Nice!' },
      { role: 'user', content: 'Sorry, I meant I live in Rome. Actually I live in Milan.' },
    ];
    expect((await run(messages)).operations.map(brief)).toEqual(['ADD basic_info/location: Lives in Milan']);
    expect((await run(messages, known)).operations.map(brief)).toEqual([
      'UPDATE m-city basic_info/location: Lives in Milan',
    ]);
    expect((await run('I live in Munich. No wait, I still live in Berlin.', known)).operations.map(brief)).toEqual([
      'NONE m-city',
    ]);
  });

  it('a fact taken back later in the same batch is not added', async () => {
    expect((await run("I'm vegan. Actually no, I'm not vegan.")).operations).toEqual([]);
    expect(
      (await run("I'm not vegetarian anymore. Well, I am vegetarian again.", known)).operations.map(brief),
    ).toEqual(['NONE m-diet']);
  });

  it('a named pet or relative replaces the unnamed one', async () => {
    const existing = [memory('p1', 'pets/dogs', 'Has a dog'), memory('s1', 'family/siblings', 'Has a sister')];
    expect((await run('My dog Rex and my sister Anna say hi.', existing)).operations.map(brief)).toEqual([
      'UPDATE p1 pets/dogs: Has a dog named Rex',
      'UPDATE s1 family/siblings: Has a sister named Anna',
    ]);
  });

  it('"I have a wife" never overwrites a named partner', async () => {
    const existing = [memory('w1', 'family/partner', 'Has a wife named Anna')];
    expect((await run('I have a wife.', existing)).operations).toEqual([]);
    expect((await run('I have a wife.')).operations.map(brief)).toEqual(['ADD family/partner: Is married']);
  });

  it('a pet that died is removed', async () => {
    const existing = [
      memory('p1', 'pets/dogs', 'Has a dog named Rex'),
      memory('p2', 'pets/cats', 'Has a cat named Luna'),
    ];
    expect((await run('My dog Rex passed away last week.', existing)).operations.map(brief)).toEqual(['DELETE p1']);
  });

  it('a new plan replaces the wish it fulfils', async () => {
    const existing = [memory('g1', 'psychological/goals', 'Wants to run a marathon')];
    expect((await run("I'm planning to run a marathon.", existing)).operations.map(brief)).toEqual([
      'UPDATE g1 life_event/plans: Plans to run a marathon',
    ]);
  });

  it('reports the topics touched as tags', async () => {
    const result = await run('I moved to Munich. Forget my food preferences. I love tennis.', known);
    expect(result.tags).toEqual(['basic_info', 'food', 'interests']);
    expect(result.summary).toBe('Lives in Munich (updated); Likes tennis; forgot 3 memories');
  });
});

describe('RuleBasedExtractor: profile config', () => {
  const strict: ProfileConfig = {
    strict: true,
    blobTokenCap: 3_000_000,
    topics: [
      { name: 'Basics', description: '', subTopics: [{ name: 'Name', description: '', singleValued: true }] },
      { name: 'food', description: '', subTopics: [{ name: 'diet', description: '', singleValued: false }] },
    ],
  };

  it('strict: drops facts whose slot is not configured, and spells kept slots as the config does', async () => {
    const { operations } = await run("I'm vegetarian and allergic to nuts. I live in Berlin.", [], strict);
    expect(operations.map(brief)).toEqual(['ADD food/diet: Is vegetarian']);
  });

  it('strict: uses the configured singleValued (here diet is multi-valued)', async () => {
    const existing = [memory('d1', 'food/diet', 'Is vegetarian')];
    expect((await run("I'm vegan.", existing, strict)).operations.map(brief)).toEqual(['ADD food/diet: Is vegan']);
  });

  it('not strict: keeps facts in default slots the config lacks', async () => {
    const loose: ProfileConfig = { ...strict, strict: false };
    const { operations } = await run("I'm vegetarian and allergic to nuts.", [], loose);
    expect(operations.map(brief)).toEqual(['ADD food/diet: Is vegetarian', 'ADD health/allergies: Allergic to nuts']);
  });

  it('not strict: a default slot missing from the config keeps its default singleValued', async () => {
    const loose: ProfileConfig = { ...strict, strict: false };
    const existing = [memory('c1', 'basic_info/location', 'Lives in Berlin')];
    expect((await run('I moved to Munich.', existing, loose)).operations.map(brief)).toEqual([
      'UPDATE c1 basic_info/location: Lives in Munich',
    ]);
  });

  it("forget requests can name the project's own topics", async () => {
    const custom: ProfileConfig = {
      strict: true,
      blobTokenCap: 3_000_000,
      topics: [
        { name: 'travel', description: '', subTopics: [{ name: 'trips', description: '', singleValued: false }] },
      ],
    };
    const existing = [memory('t1', 'travel/trips', 'Went to Japan in 2023'), memory('t2', 'food/diet', 'Is vegan')];
    expect((await run('Forget my trips.', existing, custom)).operations.map(brief)).toEqual(['DELETE t1']);
  });
});
