// The offline structured filler on three realistic schemas (a CRM contact, a
// travel profile, a health intake form): what it fills from a user's
// memories, what it leaves out, and that every result validates (Ajv,
// draft 2020-12).

import { describe, expect, it } from 'vitest';
import { fillSchema } from '../../../src/domain/exports/offline.filler.js';
import { DEFAULT_PROFILE_CONFIG } from '../../../src/domain/profile/default-profile.js';
import type { JsonObject, MemoryRecord } from '../../../src/domain/types.js';
import { AjvSchemaValidator } from '../../../src/infra/jsonschema/ajv.validator.js';
import { memoryRecord } from '../../fakes/memory-record.js';

let sequence = 0;
function memory(text: string, topic: string, subTopic: string): MemoryRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, sequence++));
  const id = `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  return memoryRecord({ id, text, topic, subTopic, createdAt: at, updatedAt: at });
}

const MEMORIES: MemoryRecord[] = [
  memory('Name is Dana Whitfield', 'basic_info', 'name'),
  memory('Is 34 years old', 'basic_info', 'age'),
  memory('Lives in Porto', 'basic_info', 'location'),
  memory('Speaks Portuguese', 'basic_info', 'languages'),
  memory('Speaks English', 'basic_info', 'languages'),
  memory('Works as a pediatric nurse', 'work', 'title'),
  memory('Works at Santa Maria Hospital', 'work', 'company'),
  memory('Is severely allergic to peanuts', 'health', 'allergies'),
  memory('Is mildly allergic to cats', 'health', 'allergies'),
  memory('Has asthma', 'health', 'conditions'),
  memory('Is vegetarian', 'food', 'diet'),
  memory('Does not drink alcohol', 'food', 'restrictions'),
  memory('Plays the cello', 'interests', 'music'),
  memory('Has a golden retriever named Biscuit', 'pets', 'dogs'),
  memory('Prefers window seats on long flights', 'travel', 'seating'),
  memory('Is planning a trip to Kyoto next spring', 'life_event', 'plans'),
  memory('Is married to Sam', 'family', 'partner'),
];

const CRM_CONTACT: JsonObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'CRM contact',
  type: 'object',
  required: ['fullName', 'email'],
  additionalProperties: false,
  properties: {
    fullName: { type: 'string', minLength: 1 },
    email: { type: ['string', 'null'], format: 'email' },
    phone: { type: 'string' },
    jobTitle: { type: 'string' },
    company: { type: 'string' },
    city: { type: 'string' },
    age: { type: 'integer', minimum: 0, maximum: 130 },
    languages: { type: 'array', items: { type: 'string' } },
    interests: { type: 'array', items: { type: 'string' }, maxItems: 5 },
    lifecycleStage: { enum: ['lead', 'customer', 'churned'] },
  },
};

const TRAVEL_PROFILE: JsonObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Travel profile',
  type: 'object',
  required: ['traveler', 'preferences'],
  properties: {
    traveler: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, homeCity: { type: 'string' }, passportCountry: { type: 'string' } },
    },
    preferences: {
      type: 'object',
      properties: {
        seat: { enum: ['window', 'aisle', 'middle'], description: 'Preferred seat on flights' },
        dietary: { type: 'string', description: 'Meal requirements' },
        travelsWithPet: { type: 'boolean' },
        loyaltyPrograms: { type: 'array', items: { type: 'string' } },
      },
    },
    upcomingTrips: {
      type: 'array',
      items: { $ref: '#/$defs/trip' },
    },
  },
  $defs: {
    trip: {
      type: 'object',
      required: ['destination'],
      properties: { destination: { type: 'string' }, when: { type: 'string' } },
    },
  },
};

const HEALTH_INTAKE: JsonObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Health intake form',
  type: 'object',
  required: ['patientName', 'allergies', 'smoker'],
  properties: {
    patientName: { type: 'string' },
    dateOfBirth: { type: 'string', format: 'date' },
    allergies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['substance'],
        properties: {
          substance: { type: 'string' },
          severity: { enum: ['mild', 'moderate', 'severe'] },
        },
      },
    },
    conditions: { type: 'array', items: { type: 'string' } },
    medications: { type: 'array', items: { type: 'string' } },
    smoker: { type: ['boolean', 'null'] },
    drinksAlcohol: { type: 'boolean', description: 'Does the patient drink alcohol?' },
    diet: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    emergencyContact: {
      type: 'object',
      properties: { name: { type: 'string' }, relationship: { type: 'string' }, phone: { type: 'string' } },
    },
  },
};

const validator = new AjvSchemaValidator();

describe('offline structured filler', () => {
  const cases: { name: string; schema: JsonObject; expected: JsonObject }[] = [
    {
      name: 'CRM contact',
      schema: CRM_CONTACT,
      expected: {
        fullName: 'Dana Whitfield',
        email: null,
        jobTitle: 'pediatric nurse',
        company: 'Santa Maria Hospital',
        city: 'Porto',
        age: 34,
        languages: ['Portuguese', 'English'],
        interests: ['the cello'],
      },
    },
    {
      name: 'travel profile',
      schema: TRAVEL_PROFILE,
      expected: {
        traveler: { name: 'Dana Whitfield', homeCity: 'Porto' },
        preferences: { seat: 'window', dietary: 'vegetarian' },
        upcomingTrips: [{ destination: 'planning a trip to Kyoto next spring' }],
      },
    },
    {
      name: 'health intake form',
      schema: HEALTH_INTAKE,
      expected: {
        patientName: 'Dana Whitfield',
        allergies: [
          { substance: 'peanuts', severity: 'severe' },
          { substance: 'cats', severity: 'mild' },
        ],
        conditions: ['asthma'],
        smoker: null,
        drinksAlcohol: false,
        diet: 'vegetarian',
      },
    },
  ];

  for (const { name, schema, expected } of cases) {
    it(`fills a ${name} and validates`, () => {
      expect(validator.checkSchema(schema)).toEqual([]);
      const value = fillSchema(schema, MEMORIES, DEFAULT_PROFILE_CONFIG);
      expect(value).toEqual(expected);
      expect(validator.validate(schema, value)).toEqual([]);
    });

    it(`gives a ${name} that validates for a user with no memories`, () => {
      const value = fillSchema(schema, [], DEFAULT_PROFILE_CONFIG);
      expect(validator.validate(schema, value)).toEqual([]);
    });
  }
});
