// The LLM extractor against the Extractor contract, through the real chat
// client and a scripted OpenAI-compatible server on loopback that plays the
// model (test/fakes/scripted-llm-server.ts).

import { LlmExtractor } from '../../../src/infra/extraction/llm/llm.extractor.js';
import { OpenAiChatClient } from '../../../src/infra/http/openai-chat.client.js';
import { extractorContract } from '../../contracts/extractor.contract.js';
import { startScriptedLlmServer } from '../../fakes/scripted-llm-server.js';

extractorContract('LlmExtractor (scripted OpenAI-compatible server)', async () => {
  const llm = await startScriptedLlmServer();
  const client = new OpenAiChatClient({
    baseUrl: llm.url,
    model: 'scripted-contract',
    maxRetries: 2,
    backoffBaseMs: 1,
    timeoutMs: 5_000,
  });
  return {
    extractor: new LlmExtractor({ client }),
    script: (answers) => llm.enqueue(...answers.map((json) => ({ json }))),
    dispose: async () => {
      await llm.stop();
      if (llm.responderErrors.length) throw llm.responderErrors[0];
    },
  };
});
