// Token counts as OpenAI's o200k_base tokenizer gives them (GPT-4o, GPT-4.1,
// o-series), with gpt-tokenizer: pure JavaScript, the ranks ship in the npm
// package, no network. Used for prompt budgets (User.context), where a count
// must be exact, not estimated.

import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { TokenCounter } from '../../domain/ports.js';

export class GptTokenCounter implements TokenCounter {
  readonly encoding = 'o200k_base';

  count(text: string): number {
    return text.length === 0 ? 0 : countTokens(text);
  }
}
