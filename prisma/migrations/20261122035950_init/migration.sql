-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('ADMIN', 'PROJECT');

-- CreateEnum
CREATE TYPE "BlobType" AS ENUM ('CHAT', 'DOC', 'TRANSCRIPT', 'SUMMARY', 'CODE');

-- CreateEnum
CREATE TYPE "BufferState" AS ENUM ('NONE', 'PENDING', 'PROCESSING', 'DONE');

-- CreateEnum
CREATE TYPE "IndexJobKind" AS ENUM ('UPSERT_BLOB', 'DELETE_BLOB', 'DELETE_USER');

-- CreateEnum
CREATE TYPE "ProcessingState" AS ENUM ('IDLE', 'PROCESSING', 'FAILED');

-- CreateEnum
CREATE TYPE "MemoryChangeKind" AS ENUM ('ADD', 'UPDATE', 'DELETE');

-- CreateEnum
CREATE TYPE "ChangeActor" AS ENUM ('EXTRACTOR', 'API');

-- CreateTable
CREATE TABLE "Project" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "name" TEXT,
    "role" "ApiKeyRole" NOT NULL DEFAULT 'PROJECT',
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "pk" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "externalId" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("pk")
);

-- CreateTable
CREATE TABLE "Blob" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "type" "BlobType" NOT NULL,
    "content" JSONB NOT NULL,
    "metadata" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "insertedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "bufferState" "BufferState" NOT NULL DEFAULT 'NONE',
    "tokens" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Blob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Chunk" (
    "id" UUID NOT NULL,
    "blobId" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "messageIndex" INTEGER,
    "charStart" INTEGER,
    "charEnd" INTEGER,
    "startTime" DOUBLE PRECISION,
    "endTime" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL,
    -- Hand-edited: the diff emits a column DEFAULT, which PostgreSQL rejects
    -- (a default cannot reference another column). It is a generated column.
    -- No semicolons in comments or literals: @prisma/adapter-pg splits
    -- migration scripts on every semicolon.
    "searchTsv" tsvector GENERATED ALWAYS AS (to_tsvector('english', "searchText")) STORED,

    CONSTRAINT "Chunk_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndexJob" (
    "id" BIGSERIAL NOT NULL,
    "kind" "IndexJobKind" NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "blobId" UUID,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IndexJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndexState" (
    "id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "collection" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IndexState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UserProcessing" (
    "userPk" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "state" "ProcessingState" NOT NULL DEFAULT 'IDLE',
    "lastError" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastInsertAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UserProcessing_pkey" PRIMARY KEY ("userPk")
);

-- CreateTable
CREATE TABLE "ProfileConfig" (
    "projectId" UUID NOT NULL,
    "config" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProfileConfig_pkey" PRIMARY KEY ("projectId")
);

-- CreateTable
CREATE TABLE "Memory" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "subTopic" TEXT NOT NULL,
    "categories" TEXT[],
    "metadata" JSONB,
    "embedding" DOUBLE PRECISION[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Memory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemorySource" (
    "memoryId" UUID NOT NULL,
    "blobId" UUID NOT NULL,

    CONSTRAINT "MemorySource_pkey" PRIMARY KEY ("memoryId","blobId")
);

-- CreateTable
CREATE TABLE "MemoryChange" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "memoryId" UUID NOT NULL,
    "kind" "MemoryChangeKind" NOT NULL,
    "actor" "ChangeActor" NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "sourceBlobs" TEXT[],
    "eventId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MemoryChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemoryEvent" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "summary" TEXT NOT NULL,
    "tags" TEXT[],
    "blobIds" TEXT[],
    "usage" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MemoryEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Project_name_key" ON "Project"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_projectId_idx" ON "ApiKey"("projectId");

-- CreateIndex
CREATE INDEX "User_projectId_createdAt_pk_idx" ON "User"("projectId", "createdAt", "pk");

-- CreateIndex
CREATE UNIQUE INDEX "User_projectId_externalId_key" ON "User"("projectId", "externalId");

-- CreateIndex
CREATE INDEX "Blob_userPk_createdAt_id_idx" ON "Blob"("userPk", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Blob_userPk_bufferState_idx" ON "Blob"("userPk", "bufferState");

-- CreateIndex
CREATE INDEX "Blob_bufferState_userPk_idx" ON "Blob"("bufferState", "userPk");

-- CreateIndex
CREATE INDEX "Chunk_userPk_idx" ON "Chunk"("userPk");

-- CreateIndex
CREATE INDEX "Chunk_searchTsv_idx" ON "Chunk" USING GIN ("searchTsv");

-- CreateIndex
CREATE UNIQUE INDEX "Chunk_blobId_ordinal_key" ON "Chunk"("blobId", "ordinal");

-- CreateIndex
CREATE INDEX "IndexJob_availableAt_id_idx" ON "IndexJob"("availableAt", "id");

-- CreateIndex
CREATE INDEX "UserProcessing_state_nextAttemptAt_idx" ON "UserProcessing"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Memory_userPk_deletedAt_topic_idx" ON "Memory"("userPk", "deletedAt", "topic");

-- CreateIndex
CREATE INDEX "Memory_userPk_createdAt_id_idx" ON "Memory"("userPk", "createdAt", "id");

-- CreateIndex
CREATE INDEX "MemorySource_blobId_idx" ON "MemorySource"("blobId");

-- CreateIndex
CREATE INDEX "MemoryChange_memoryId_createdAt_idx" ON "MemoryChange"("memoryId", "createdAt");

-- CreateIndex
CREATE INDEX "MemoryChange_eventId_idx" ON "MemoryChange"("eventId");

-- CreateIndex
CREATE INDEX "MemoryEvent_userPk_createdAt_id_idx" ON "MemoryEvent"("userPk", "createdAt", "id");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Blob" ADD CONSTRAINT "Blob_userPk_fkey" FOREIGN KEY ("userPk") REFERENCES "User"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Chunk" ADD CONSTRAINT "Chunk_blobId_fkey" FOREIGN KEY ("blobId") REFERENCES "Blob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UserProcessing" ADD CONSTRAINT "UserProcessing_userPk_fkey" FOREIGN KEY ("userPk") REFERENCES "User"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProfileConfig" ADD CONSTRAINT "ProfileConfig_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Memory" ADD CONSTRAINT "Memory_userPk_fkey" FOREIGN KEY ("userPk") REFERENCES "User"("pk") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemorySource" ADD CONSTRAINT "MemorySource_memoryId_fkey" FOREIGN KEY ("memoryId") REFERENCES "Memory"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryChange" ADD CONSTRAINT "MemoryChange_memoryId_fkey" FOREIGN KEY ("memoryId") REFERENCES "Memory"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryChange" ADD CONSTRAINT "MemoryChange_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "MemoryEvent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryEvent" ADD CONSTRAINT "MemoryEvent_userPk_fkey" FOREIGN KEY ("userPk") REFERENCES "User"("pk") ON DELETE CASCADE ON UPDATE CASCADE;
