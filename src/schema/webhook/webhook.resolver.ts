import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type { WebhookRecord } from '../../domain/ports.js';
import { Webhook, WebhookDelivery, WebhookDeliveryState, WebhookEvent } from './webhook.type.js';

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: "The project's webhooks, oldest first." })
  webhooks(@Ctx() ctx: Context): Promise<WebhookRecord[]> {
    return ctx.services.webhooks.list(ctx.viewer);
  }

  @Mutation(() => Webhook, {
    description:
      'POSTs the events named to `url` (http or https; private and loopback addresses are refused unless the server allows them), signed with `secret` (16-256 characters): `Memql-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.',
  })
  createWebhook(
    @Arg('url', () => String) url: string,
    @Arg('events', () => [WebhookEvent]) events: WebhookEvent[],
    @Arg('secret', () => String) secret: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookRecord> {
    return ctx.services.webhooks.create(ctx.viewer, { url, events, secret });
  }

  @Mutation(() => Boolean, { description: 'Deletes the webhook; deliveries not yet made are dropped.' })
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.webhooks.delete(ctx.viewer, id);
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'Newest first; `state: FAILED` lists the failures.' })
  deliveries(
    @Root() webhook: WebhookRecord,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first?: number | null,
    @Arg('state', () => WebhookDeliveryState, { nullable: true }) state?: WebhookDeliveryState | null,
  ): Promise<WebhookDelivery[]> {
    return ctx.services.webhooks.deliveries(webhook, first, state) as Promise<WebhookDelivery[]>;
  }
}
