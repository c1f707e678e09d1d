-- CreateTable
CREATE TABLE "UsageDay" (
    "projectId" UUID NOT NULL,
    "userPk" UUID NOT NULL,
    "day" DATE NOT NULL,
    "blobs" INTEGER NOT NULL DEFAULT 0,
    "tokensStored" BIGINT NOT NULL DEFAULT 0,
    "llmCalls" INTEGER NOT NULL DEFAULT 0,
    "llmPromptTokens" BIGINT NOT NULL DEFAULT 0,
    "llmCompletionTokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "UsageDay_pkey" PRIMARY KEY ("projectId","userPk","day")
);

-- CreateIndex
CREATE INDEX "UsageDay_userPk_day_idx" ON "UsageDay"("userPk", "day");

-- CreateIndex
CREATE INDEX "UsageDay_projectId_day_idx" ON "UsageDay"("projectId", "day");
