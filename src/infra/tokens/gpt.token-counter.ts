// Token counts as OpenAI's o200k_base tokenizer gives them (GPT-4o, GPT-4.1,
// o-series), with gpt-tokenizer: pure JavaScript, the ranks ship in the npm
// package, no network. Used for prompt budgets (User.context), where a count
// must be exact, not estimated.
//
// Loading the 200,000 ranks takes 0.3-1 s of CPU, on the main thread. The
// server would pay it at start, before serving anything; it is loaded on the
// first count instead (the first User.context pays it, once). Not warmed in
// the background after start: a second of a blocked event loop then stalls
// whatever arrives, and under `npm start` tsx's signal relay gave up on a
// server that could not answer it and killed it without a clean shutdown
// (test/api/shutdown.test.ts).

import { createRequire } from 'node:module';
import type { TokenCounter } from '../../domain/ports.js';

type CountTokens = (text: string) => number;

const require = createRequire(import.meta.url);
let loaded: CountTokens | null = null;

function countTokens(text: string): number {
  loaded ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens;
  return loaded(text);
}

export class GptTokenCounter implements TokenCounter {
  readonly encoding = 'o200k_base';

  count(text: string): number {
    return text.length === 0 ? 0 : countTokens(text);
  }
}
