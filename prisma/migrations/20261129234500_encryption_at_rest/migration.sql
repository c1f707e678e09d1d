-- AlterTable
ALTER TABLE "User" ADD COLUMN "dataKey" BYTEA;

-- CreateTable
CREATE TABLE "EncryptionState" (
    "id" TEXT NOT NULL,
    "kekCheck" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" TIMESTAMP(3),

    CONSTRAINT "EncryptionState_pkey" PRIMARY KEY ("id")
);

-- Hand-written: the full-text vectors stop being generated columns. With
-- encryption at rest (MEMQL_ENCRYPTION_KEY) the text columns hold ciphertext,
-- so the vector must come from the plaintext, which only the writer has. A
-- BEFORE trigger keeps filling it from the column, as the generated column
-- did, unless the row is sealed ('mqe1:', src/infra/prisma/encryption/envelope.ts):
-- then the writer sets "searchTsv" in the same statement or transaction.
-- On every UPDATE, as a stored generated column is recomputed: a direct write
-- to a row in clear cannot leave a stale vector.
-- The values already stored are kept (DROP EXPRESSION keeps the data).
ALTER TABLE "Chunk" ALTER COLUMN "searchTsv" DROP EXPRESSION;
ALTER TABLE "Memory" ALTER COLUMN "searchTsv" DROP EXPRESSION;

CREATE FUNCTION memql_chunk_search_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF left(NEW."searchText", 5) <> 'mqe1:' THEN
    NEW."searchTsv" := to_tsvector('english', NEW."searchText");
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "Chunk_searchTsv" BEFORE INSERT OR UPDATE ON "Chunk"
  FOR EACH ROW EXECUTE FUNCTION memql_chunk_search_tsv();

CREATE FUNCTION memql_memory_search_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF left(NEW."text", 5) <> 'mqe1:' THEN
    NEW."searchTsv" := to_tsvector('english', COALESCE(NEW."title", '') || ' ' || NEW."text" || ' ' || COALESCE(NEW."summary", ''));
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "Memory_searchTsv" BEFORE INSERT OR UPDATE ON "Memory"
  FOR EACH ROW EXECUTE FUNCTION memql_memory_search_tsv();
