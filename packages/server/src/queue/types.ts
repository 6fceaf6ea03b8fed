// The shapes that cross the queue's boundary: what a claim hands the dispatcher and what the
// dispatcher hands back for each attempt.
import type { DeliveryStatus, ResourceType } from '../db/schema.js';

/** A claimed delivery: what the dispatcher needs to send it and to judge the outcome. */
export interface Claimed {
  id: string;
  webhook_id: string;
  facility_id: string;
  resource_type: ResourceType;
  resource_id: number;
  event: string;
  tries: number;
  attempt_count: number;
  is_test: number;
  created_at: number;
  /** The webhook-sequence header. */
  sequence: number;
  /** The newest event it stands for: max_age_hours counts from here. */
  last_event_at: number;
  /**
   * When it was due before this claim leased it: handed back unsent, it goes back to this
   * place in the queue, not behind everything that fell due meanwhile.
   */
  due_at: number;
}

/** A claimed delivery handed back unsent, with the due time it goes back to. */
export interface Released {
  id: string;
  dueAt: number;
}

/** What a delivery becomes after one attempt (dispatcher/next-state.ts decides it). */
export interface DeliveryUpdate {
  id: string;
  status: Extract<DeliveryStatus, 'pending' | 'succeeded' | 'failed' | 'expired'>;
  tries: number;
  attempt_count: number;
  next_attempt_at: number;
  last_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: number | null;
}

/** What a batch of attempts said about one webhook. */
export interface BatchVerdict {
  webhookId: string;
  /** Any success in the batch ends the failing streak. */
  succeeded: boolean;
  /** The first failure's start in the batch. */
  failedAt: number | undefined;
  /** The receiver answered 410 Gone: it asked us to stop. */
  gone: boolean;
  /** The receiver's answer carried `webhook-disable: true`, whatever its status. */
  disableRequested: boolean;
}

/** The webhook as stored, when the batch is written. */
export interface WebhookHealthState {
  enabled: boolean;
  failingSince: number | null;
}

export interface HealthChange {
  /** The failing streak's start after this batch (null: not failing). */
  failingSince: number | null;
  /** Set when the webhook is to be disabled now: the reason its owner sees. */
  disable: string | undefined;
}
