-- AlterEnum
ALTER TYPE "ChangeActor" ADD VALUE 'EXPIRY';

-- AlterEnum
ALTER TYPE "IndexJobKind" ADD VALUE 'SYNC_MEMORY';
ALTER TYPE "IndexJobKind" ADD VALUE 'DELETE_USER_MEMORIES';
ALTER TYPE "IndexJobKind" ADD VALUE 'DELETE_USER_BLOBS';

-- AlterTable
ALTER TABLE "Blob" ADD COLUMN     "agentId" TEXT,
ADD COLUMN     "runId" TEXT;

-- AlterTable
ALTER TABLE "IndexJob" ADD COLUMN     "memoryId" UUID;

-- AlterTable
ALTER TABLE "Memory" ADD COLUMN     "agentId" TEXT,
ADD COLUMN     "confidence" DOUBLE PRECISION,
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "immutable" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "importance" DOUBLE PRECISION,
ADD COLUMN     "runId" TEXT,
ADD COLUMN     "source" TEXT,
ADD COLUMN     "summary" TEXT,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "title" TEXT;

-- AlterTable
-- Hand-edited, as Chunk.searchTsv in the init migration: a generated column (the diff emits a DEFAULT),
-- added once the columns it reads exist.
ALTER TABLE "Memory" ADD COLUMN "searchTsv" tsvector GENERATED ALWAYS AS (to_tsvector('english', COALESCE("title", '') || ' ' || "text" || ' ' || COALESCE("summary", ''))) STORED;

-- CreateIndex
CREATE INDEX "Blob_userPk_agentId_idx" ON "Blob"("userPk", "agentId");

-- CreateIndex
CREATE INDEX "Blob_userPk_runId_idx" ON "Blob"("userPk", "runId");

-- CreateIndex
CREATE INDEX "Memory_userPk_agentId_idx" ON "Memory"("userPk", "agentId");

-- CreateIndex
CREATE INDEX "Memory_userPk_runId_idx" ON "Memory"("userPk", "runId");

-- CreateIndex
CREATE INDEX "Memory_tags_idx" ON "Memory" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "Memory_categories_idx" ON "Memory" USING GIN ("categories");

-- CreateIndex
CREATE INDEX "Memory_searchTsv_idx" ON "Memory" USING GIN ("searchTsv");

-- CreateIndex
CREATE INDEX "Memory_expiresAt_idx" ON "Memory"("expiresAt");
