
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Blob": [
      "ChatBlob",
      "CodeBlob",
      "DocBlob",
      "SummaryBlob",
      "TranscriptBlob"
    ],
    "Hit": [
      "MessageHit",
      "TextSpanHit",
      "TimeSpanHit"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Blob": [
      "ChatBlob",
      "CodeBlob",
      "DocBlob",
      "SummaryBlob",
      "TranscriptBlob"
    ],
    "Hit": [
      "MessageHit",
      "TextSpanHit",
      "TimeSpanHit"
    ]
  }
};
      export default result;
    