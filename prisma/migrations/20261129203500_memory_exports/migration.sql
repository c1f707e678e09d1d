-- CreateEnum
CREATE TYPE "ExportStatus" AS ENUM ('PENDING', 'RUNNING', 'FINISHED', 'FAILED');

-- CreateTable
CREATE TABLE "MemoryExport" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "schema" JSONB NOT NULL,
    "instructions" TEXT,
    "filter" JSONB,
    "status" "ExportStatus" NOT NULL DEFAULT 'PENDING',
    "result" JSONB,
    "errors" TEXT[],
    "usage" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "MemoryExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MemoryExport_status_idx" ON "MemoryExport"("status");

-- CreateIndex
CREATE INDEX "MemoryExport_projectId_createdAt_id_idx" ON "MemoryExport"("projectId", "createdAt", "id");

-- AddForeignKey
ALTER TABLE "MemoryExport" ADD CONSTRAINT "MemoryExport_userPk_fkey" FOREIGN KEY ("userPk") REFERENCES "User"("pk") ON DELETE CASCADE ON UPDATE CASCADE;
