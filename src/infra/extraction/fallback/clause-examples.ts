// The labelled clauses the learned fallback votes with, and their compact
// form: int8 vectors with one scale per row (a quarter of the size of floats;
// cosine similarities move by well under a percent).

/** The labelled clauses, as the builder script writes them. */
export interface ClauseExamples {
  /** The embedder the vectors came from; the classifier must embed with the same one. */
  model: string;
  dimension: number;
  /** Label names: "none" or "topic/subTopic". */
  labels: readonly string[];
  /** One label index per example. */
  label: readonly number[];
  /** Per example: its vector as int8 (base64), scaled by `scale[i]`. */
  vectors: string;
  scale: readonly number[];
}

/** The int8 vectors, scaled back to floats, row after row. */
export function decodeVectors(examples: Pick<ClauseExamples, 'vectors' | 'scale' | 'dimension'>): Float32Array {
  const bytes = Buffer.from(examples.vectors, 'base64');
  const matrix = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const row = Math.floor(i / examples.dimension);
    matrix[i] = ((bytes[i]! << 24) >> 24) * examples.scale[row]!;
  }
  return matrix;
}

/** An int8 row and its scale for a vector (the builder's half of decodeVectors). */
export function encodeVector(vector: readonly number[]): { bytes: Int8Array; scale: number } {
  const max = Math.max(...vector.map(Math.abs), 1e-9);
  const scale = max / 127;
  return { bytes: Int8Array.from(vector, (x) => Math.round(x / scale)), scale };
}
