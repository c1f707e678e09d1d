// The offline rule-based extractor and the scripted fake against the
// Extractor contract (the LLM extractor runs it in
// test/infra/llm/llm.extractor.contract.test.ts, through the scripted
// OpenAI-compatible server).

import { RuleBasedExtractor } from '../../../src/infra/extraction/rules/rule-based.extractor.js';
import { extractorContract } from '../../contracts/extractor.contract.js';
import { type ScriptedAnswer, ScriptedExtractor } from '../../fakes/scripted.extractor.js';

extractorContract('RuleBasedExtractor', async () => ({
  extractor: new RuleBasedExtractor(),
  script: () => {},
  dispose: async () => {},
}));

extractorContract('ScriptedExtractor (fake)', async () => {
  const extractor = new ScriptedExtractor();
  return {
    extractor,
    // One answer per call: the fake refuses a bad answer instead of asking again.
    script: (answers) => extractor.enqueue(answers[0] as unknown as ScriptedAnswer),
    dispose: async () => {},
  };
});
