// The LLM structured filler: the user's memories, the caller's JSON Schema
// and instructions go to an OpenAI-compatible chat model in one call; the
// answer is the JSON value. A retry carries the previous answer and the
// validator's problems so the model can fix them. Validation itself is the
// domain's (MemoryExportService), so nothing here decides what is valid.

import type { StructuredFillInput, StructuredFiller } from '../../domain/ports.js';
import type { TokenUsage } from '../../domain/types.js';
import type { ChatClient, ChatMessageParam } from '../http/openai-chat.client.js';

const SYSTEM = `You write what is known about a user into a JSON value that must validate against a JSON Schema (draft 2020-12).
Use only the facts listed; never invent a value. Leave out a property the facts do not support, or give null where the schema allows null.
Answer with the JSON value alone: no prose, no code fences.`;

export class LlmStructuredFiller implements StructuredFiller {
  readonly name = 'llm';
  readonly retries = true;

  constructor(private readonly client: ChatClient) {}

  async fill(input: StructuredFillInput): Promise<{ value: unknown; usage: TokenUsage | null }> {
    const facts = input.memories.map((m) => `- [${m.topic}/${m.subTopic}] ${m.text}`).join('\n') || '(no facts)';
    const messages: ChatMessageParam[] = [
      { role: 'system', content: SYSTEM },
      {
        role: 'user',
        content: [
          `JSON Schema:\n${JSON.stringify(input.schema)}`,
          input.instructions ? `Instructions:\n${input.instructions}` : null,
          `Facts about the user:\n${facts}`,
        ]
          .filter(Boolean)
          .join('\n\n'),
      },
    ];
    if (input.previous) {
      messages.push(
        { role: 'assistant', content: JSON.stringify(input.previous.value) ?? '' },
        {
          role: 'user',
          content: `That value does not validate:\n${input.previous.problems
            .map((p) => `- ${p.path || '/'}: ${p.message}`)
            .join('\n')}\nAnswer again with a corrected JSON value alone.`,
        },
      );
    }
    const completion = await this.client.complete(messages);
    const usage = completion.usage ? { ...completion.usage, calls: completion.attempts } : null;
    return { value: parseAnswer(completion.content), usage };
  }
}

/** The JSON in the answer (code fences tolerated); the raw text when it is not JSON, for the validator to refuse. */
function parseAnswer(content: string): unknown {
  const text = content
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  try {
    return JSON.parse(text);
  } catch {
    return content;
  }
}
