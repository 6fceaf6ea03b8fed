// @tablehooks/receiver: receive tablehooks webhooks safely. The core (checks and parsing) has
// no dependencies beyond node:crypto; the middlewares only type Express and Fastify structurally.
export { verifyBasicAuth } from './basic-auth.js';
export {
  type ApiErrorReason,
  type ClientOptions,
  TablehooksApiError,
  TablehooksClient,
} from './client.js';
export { type VerificationReason, WebhookVerificationError } from './errors.js';
export {
  type ExpressReceiverOptions,
  type ExpressWebhookHandler,
  expressReceiver,
} from './express.js';
export {
  type FastifyReceiverOptions,
  type FastifyReplyLike,
  type FastifyRequestLike,
  fastifyReceiver,
} from './fastify.js';
export type { HeaderSource } from './headers.js';
export {
  BodyTooLargeError,
  type NodeReceiverOptions,
  type NodeWebhookHandler,
  nodeReceiver,
  readBody,
} from './node.js';
export type * from './resources.js';
export { type SignatureOptions, type SignedMessage, sign, verifySignature } from './signature.js';
export {
  ACTIONS,
  BOOKING_ACTIONS,
  type BookingTrigger,
  isBookingTrigger,
  PRODUCTORDER_ACTIONS,
  type ProductOrderTrigger,
  parseTrigger,
  type Trigger,
  type TriggerAction,
} from './trigger.js';
export { type ReceiverOptions, refusal, verifyRequest, type WebhookEvent } from './verify.js';
