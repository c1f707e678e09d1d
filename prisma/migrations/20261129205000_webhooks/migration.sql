-- CreateEnum
CREATE TYPE "WebhookEvent" AS ENUM ('MEMORY_CHANGED', 'EVENT_PROCESSED');

-- CreateEnum
CREATE TYPE "WebhookDeliveryState" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateTable
CREATE TABLE "Webhook" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "events" "WebhookEvent"[],
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" UUID NOT NULL,
    "webhookId" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "event" "WebhookEvent" NOT NULL,
    "payload" JSONB NOT NULL,
    "state" "WebhookDeliveryState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Webhook_projectId_idx" ON "Webhook"("projectId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_state_nextAttemptAt_idx" ON "WebhookDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_webhookId_createdAt_idx" ON "WebhookDelivery"("webhookId", "createdAt");

-- AddForeignKey
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the webhook outbox is filled by triggers, in the transaction
-- that writes the memory change or the processed event, so every write path
-- (extraction, API edits, expiry, resets) enqueues its deliveries and a crash
-- never loses one that was committed. Timestamps are UTC (as Prisma stores them).
CREATE FUNCTION memql_webhook_memory_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "WebhookDelivery" ("id", "webhookId", "projectId", "event", "payload")
  SELECT gen_random_uuid(), w."id", w."projectId", 'MEMORY_CHANGED',
         jsonb_build_object(
           'type', 'memory.changed',
           'createdAt', to_char(NEW."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', jsonb_build_object(
             'userId', (SELECT u."externalId" FROM "User" u WHERE u."pk" = NEW."userPk"),
             'memoryId', NEW."memoryId",
             'changeId', NEW."id",
             'kind', NEW."kind",
             'actor', NEW."actor",
             'before', NEW."before",
             'after', NEW."after",
             'eventId', NEW."eventId"))
  FROM "Webhook" w
  WHERE w."projectId" = NEW."projectId" AND 'MEMORY_CHANGED'::"WebhookEvent" = ANY (w."events");
  RETURN NULL;
END $$;

CREATE TRIGGER "MemoryChange_webhooks" AFTER INSERT ON "MemoryChange"
  FOR EACH ROW EXECUTE FUNCTION memql_webhook_memory_change();

CREATE FUNCTION memql_webhook_event_processed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "WebhookDelivery" ("id", "webhookId", "projectId", "event", "payload")
  SELECT gen_random_uuid(), w."id", w."projectId", 'EVENT_PROCESSED',
         jsonb_build_object(
           'type', 'event.processed',
           'createdAt', to_char(NEW."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', jsonb_build_object(
             'userId', (SELECT u."externalId" FROM "User" u WHERE u."pk" = NEW."userPk"),
             'eventId', NEW."id",
             'summary', NEW."summary",
             'tags', to_jsonb(NEW."tags"),
             'blobIds', to_jsonb(NEW."blobIds"),
             'usage', NEW."usage"))
  FROM "Webhook" w
  WHERE w."projectId" = NEW."projectId" AND 'EVENT_PROCESSED'::"WebhookEvent" = ANY (w."events");
  RETURN NULL;
END $$;

CREATE TRIGGER "MemoryEvent_webhooks" AFTER INSERT ON "MemoryEvent"
  FOR EACH ROW EXECUTE FUNCTION memql_webhook_event_processed();
