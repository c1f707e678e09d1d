import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

export enum WebhookEvent {
  MEMORY_CHANGED = 'MEMORY_CHANGED',
  EVENT_PROCESSED = 'EVENT_PROCESSED',
}
registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  description:
    'MEMORY_CHANGED: a memory was added, updated or deleted (by extraction, the API or expiry), POSTed as `memory.changed`. EVENT_PROCESSED: an extraction batch was committed, POSTed as `event.processed`.',
});

export enum WebhookDeliveryState {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryState, {
  name: 'WebhookDeliveryState',
  description:
    'PENDING: not yet answered with a 2xx (retried with backoff). DELIVERED: a 2xx came back. FAILED: no attempt left.',
});

@ObjectType({
  description:
    'One event for one webhook, with every attempt counted. Its id is the idempotency id sent in `Memql-Delivery`.',
})
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => WebhookEvent)
  event!: WebhookEvent;

  @Field(() => WebhookDeliveryState)
  state!: WebhookDeliveryState;

  @Field(() => Int, { description: 'Requests made so far.' })
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt (null: no answer).' })
  lastStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the next attempt is due (while PENDING).' })
  nextAttemptAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  deliveredAt!: Date | null;
}

@ObjectType({
  description: "An endpoint of the project's app that receives events as signed POSTs. The secret is never returned.",
})
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [WebhookEvent])
  events!: WebhookEvent[];

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
