/**
 * Why a request was refused. The middlewares answer 401 for the credential and signature
 * reasons and 400 for the body reasons (see {@link WebhookVerificationError.status}).
 */
export type VerificationReason =
  | 'missing_authorization'
  | 'malformed_authorization'
  | 'wrong_credentials'
  | 'missing_signature_headers'
  | 'malformed_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_json'
  | 'invalid_trigger';

const BODY_REASONS: ReadonlySet<VerificationReason> = new Set(['invalid_json', 'invalid_trigger']);

/**
 * A request that is not a genuine, well-formed tablehooks trigger.
 *
 * @example
 * try {
 *   verifySignature(secret, req.headers, rawBody);
 * } catch (err) {
 *   if (err instanceof WebhookVerificationError) console.warn(err.reason); // 'timestamp_too_old'
 *   else throw err;
 * }
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly reason: VerificationReason,
    message: string,
    /** For `invalid_trigger`: the body field at fault. */
    readonly field?: string,
  ) {
    super(message);
  }

  /** The HTTP status a receiver should answer with: 400 for a bad body, else 401. */
  get status(): 400 | 401 {
    return BODY_REASONS.has(this.reason) ? 400 : 401;
  }
}
