// Cheap token estimate (about 4 characters a token for English, as the
// OpenAI tokenizers average); used for buffer thresholds, not billing.
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
