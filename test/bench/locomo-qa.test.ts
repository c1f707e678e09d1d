// The end-to-end LoCoMo harness (`npm run eval:locomo -- --qa`, bench/locomo/qa.ts)
// against memql in this process and a scripted OpenAI-compatible LLM on loopback:
// the answerer sees the messages memql returns (dated, by speaker), the judge
// sees the question, the reference and the answer, and J is counted per category.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocomoServer, startLocomoServer } from '../../bench/locomo/api.js';
import type { Conversation } from '../../bench/locomo/dataset.js';
import { labelOf, runQa } from '../../bench/locomo/qa.js';
import { OpenAiChatClient } from '../../src/infra/http/openai-chat.client.js';
import { type RecordedRequest, type ScriptedLlmServer, startScriptedLlmServer } from '../fakes/scripted-llm-server.js';

const conversation: Conversation = {
  id: 'qa-harness',
  droppedQuestions: 0,
  sessions: [
    {
      number: 1,
      date: new Date('2023-05-08T13:56:00Z'),
      turns: [
        { diaId: 'D1:1', speaker: 'Ana', content: 'I adopted a beagle named Pixel yesterday!' },
        { diaId: 'D1:2', speaker: 'Ben', content: 'Congratulations, puppies are fun.' },
      ],
    },
    {
      number: 2,
      date: new Date('2023-06-20T09:10:00Z'),
      turns: [
        { diaId: 'D2:1', speaker: 'Ana', content: 'I started violin lessons this month.' },
        { diaId: 'D2:2', speaker: 'Ben', content: 'Music is a great hobby.' },
      ],
    },
  ],
  questions: [
    { text: "What is the name of Ana's beagle?", answer: 'Pixel', category: 4, evidence: ['D1:1'] },
    { text: 'Which instrument does Ana take lessons in?', answer: 'violin', category: 4, evidence: ['D2:1'] },
    { text: 'When did Ana adopt her beagle?', answer: '7 May 2023', category: 2, evidence: ['D1:1'] },
  ],
};

/** The scripted model: answers from the memories it is given, judges by substring. */
function respond(request: RecordedRequest) {
  const prompt = request.promptText;
  const last = (pattern: RegExp) => [...prompt.matchAll(pattern)].at(-1)![1]!.toLowerCase();
  if (prompt.includes('Gold answer:')) {
    // The prompt's own example comes first: the real data is the last of each.
    const gold = last(/Gold answer: (.*)/g);
    const generated = last(/Generated answer: (.*)/g);
    return { json: { label: generated.includes(gold) ? 'CORRECT' : 'WRONG' } };
  }
  const memories = prompt.slice(prompt.indexOf('Memories:'), prompt.indexOf('Question:'));
  const question = /Question: (.*)/.exec(prompt)![1]!;
  if (/name/.test(question)) return { json: { answer: /Pixel/.test(memories) ? 'Pixel' : 'no idea' } };
  if (/instrument/.test(question)) return { json: { answer: /violin/.test(memories) ? 'The violin' : 'no idea' } };
  return { json: { answer: 'Some time in 2023' } };
}

describe('LoCoMo end to end (scripted LLM)', () => {
  let memql: LocomoServer;
  let llm: ScriptedLlmServer;

  beforeAll(async () => {
    llm = await startScriptedLlmServer({ responder: respond });
    memql = await startLocomoServer([conversation]);
  }, 180_000);
  afterAll(async () => {
    await memql?.server.destroy();
    await llm?.stop();
  });

  it("answers from memql's context, judges each answer and counts J per category", async () => {
    const chat = new OpenAiChatClient({ baseUrl: llm.url, model: 'scripted', maxRetries: 0 });
    const result = await runQa([conversation], { memql: memql.client, answerer: chat, judge: chat, contextTurns: 3 });

    expect(result.byCategory).toEqual({ '2': { j: 0, questions: 1 }, '4': { j: 1, questions: 2 } });
    expect(result.overall).toEqual({ j: 2 / 3, questions: 3 });
    const pixel = result.rows.find((r) => r.gold === 'Pixel')!;
    expect(pixel).toMatchObject({ answer: 'Pixel', label: 'CORRECT', category: 4 });
    expect(pixel.context).toContain('D1:1');
    expect(pixel.context.length).toBeLessThanOrEqual(3);

    // Two calls per question: one answer, one judgement; the answer prompt holds dated, attributed messages.
    const chats = llm.chatRequests();
    expect(chats).toHaveLength(6);
    const answering = chats.find((r) => r.promptText.includes("Ana's beagle") && r.promptText.includes('Memories:'))!;
    expect(answering.promptText).toContain('[2023-05-08 13:56] Ana: I adopted a beagle named Pixel yesterday!');
    const judging = chats.find((r) => r.promptText.includes('Gold answer: 7 May 2023'))!;
    expect(judging.promptText).toContain('Generated answer: Some time in 2023');
    expect(judging.promptText).toContain('"label"');
  });

  it('reads a label from JSON, fenced JSON or prose, and counts anything else as WRONG', () => {
    expect(labelOf('{"label": "CORRECT"}')).toBe('CORRECT');
    expect(labelOf('The answer names the same dog.\n```json\n{"label": "CORRECT"}\n```')).toBe('CORRECT');
    expect(labelOf('{"label": "WRONG"}')).toBe('WRONG');
    expect(labelOf('CORRECT or WRONG, hard to say')).toBe('WRONG');
    expect(labelOf('')).toBe('WRONG');
  });
});
