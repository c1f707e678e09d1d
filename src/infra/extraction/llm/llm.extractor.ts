// The Extractor port over an OpenAI-compatible chat model. One call per batch
// extracts facts and decides ADD/UPDATE/DELETE/NONE against the existing
// memories (see extraction.prompt.ts for why one call, not Mem0's two).
// Output that fails validation is retried, with the problems shown to the
// model, within the client's attempt budget.

import type { Extractor } from '../../../domain/ports.js';
import type { ExtractionInput, ExtractionResult, TokenUsage } from '../../../domain/types.js';
import { parseExtractionOutput } from './extraction.output.js';
import { buildExtractionMessages, repairMessages } from './extraction.prompt.js';
import { LlmOutputError } from './llm.errors.js';
import type { ChatClient, LlmLogger } from '../../http/openai-chat.client.js';

export interface LlmExtractorOptions {
  /**
   * The chat model to call, usually an `OpenAiChatClient`. Its `maxAttempts`
   * is the budget for one `extract`: transport retries (429, 5xx, timeouts)
   * and answers that fail validation both count against it.
   */
  client: ChatClient;
  /** Receives a warning for each answer that fails validation. Default: silent. */
  logger?: LlmLogger;
}

export class LlmExtractor implements Extractor {
  /** `llm:<model>`, recorded with each extraction. */
  readonly name: string;
  private readonly client: ChatClient;
  private readonly logger: LlmLogger | undefined;

  constructor(options: LlmExtractorOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.name = `llm:${options.client.model}`;
  }

  /**
   * Throws an `HttpRequestError` (infra/http) when the model cannot be reached within the budget, and
   * `LlmOutputError` (message `LLM output invalid: <problems> ...`) when every
   * answer failed validation. Both say whether retrying later may help.
   */
  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, calls: 0 };
    if (input.messages.length === 0) return { operations: [], summary: '', tags: [], usage };

    const base = buildExtractionMessages(input);
    let messages = base;
    let attempts = 0;
    for (;;) {
      const completion = await this.client.complete(messages, { maxAttempts: this.client.maxAttempts - attempts });
      attempts += completion.attempts;
      usage.calls += 1;
      usage.promptTokens += completion.usage?.promptTokens ?? 0;
      usage.completionTokens += completion.usage?.completionTokens ?? 0;

      const truncated = completion.finishReason === 'length';
      const parsed = truncated
        ? { ok: false as const, problems: ['answer truncated (finish_reason "length")'] }
        : parseExtractionOutput(completion.content, input);
      if (parsed.ok) return { ...parsed.value, usage };

      if (attempts >= this.client.maxAttempts) {
        throw new LlmOutputError(parsed.problems, {
          endpoint: this.client.endpoint,
          model: this.client.model,
          attempts,
          usage,
        });
      }
      this.logger?.warn(
        { endpoint: this.client.endpoint, model: this.client.model, attempt: attempts, problems: parsed.problems },
        'LLM extraction output invalid; asking the model again',
      );
      messages = truncated
        ? repairMessages(base, { truncated: true })
        : repairMessages(base, { truncated: false, answer: completion.content, problems: parsed.problems });
    }
  }
}
