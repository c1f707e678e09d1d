-- CreateEnum
CREATE TYPE "MemoryEventKind" AS ENUM ('EXTRACTION', 'BLOBS_FORGOTTEN');

-- AlterTable
ALTER TABLE "Blob" ADD COLUMN     "storedTokens" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "MemoryEvent" ADD COLUMN     "kind" "MemoryEventKind" NOT NULL DEFAULT 'EXTRACTION';

-- AlterTable
ALTER TABLE "UsageDay" ADD COLUMN     "blobsForgotten" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "tokensForgotten" BIGINT NOT NULL DEFAULT 0;

-- Hand-written: blobs stored before this migration get an estimate of their
-- tokens (about 4 characters a token of their JSON content, a little more
-- than the text alone), so that the cap counts them too.
UPDATE "Blob" SET "storedTokens" = ceil(length("content"::text) / 4.0)::int;

-- Hand-written: webhook payloads of events say their kind, so an app can tell
-- a forgetting (BLOBS_FORGOTTEN) from an extraction batch.
CREATE OR REPLACE FUNCTION memql_webhook_event_processed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "WebhookDelivery" ("id", "webhookId", "projectId", "event", "payload")
  SELECT gen_random_uuid(), w."id", w."projectId", 'EVENT_PROCESSED',
         jsonb_build_object(
           'type', 'event.processed',
           'createdAt', to_char(NEW."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', jsonb_build_object(
             'userId', (SELECT u."externalId" FROM "User" u WHERE u."pk" = NEW."userPk"),
             'eventId', NEW."id",
             'kind', NEW."kind",
             'summary', NEW."summary",
             'tags', to_jsonb(NEW."tags"),
             'blobIds', to_jsonb(NEW."blobIds"),
             'usage', NEW."usage"))
  FROM "Webhook" w
  WHERE w."projectId" = NEW."projectId" AND 'EVENT_PROCESSED'::"WebhookEvent" = ANY (w."events");
  RETURN NULL;
END $$;
