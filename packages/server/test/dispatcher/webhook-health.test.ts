// What a batch of outcomes does to a webhook's health: one pure function, as a table.
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/dispatcher/sender.js';
import {
  autoDisableReason,
  type BatchVerdict,
  GONE_REASON,
  verdicts,
  type WebhookHealthState,
  webhookHealth,
} from '../../src/dispatcher/webhook-health.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-02T12:00:00Z');
const policy = { now: NOW, autoDisableAfterMs: 24 * HOUR };

const healthy: WebhookHealthState = { enabled: true, failingSince: null };
const failingFor = (hours: number): WebhookHealthState => ({
  enabled: true,
  failingSince: NOW - hours * HOUR,
});
const verdict = (v: Partial<BatchVerdict>): BatchVerdict => ({
  webhookId: 'w',
  succeeded: false,
  failedAt: undefined,
  gone: false,
  disableRequested: false,
  ...v,
});

describe('webhookHealth', () => {
  it.each<[string, WebhookHealthState, BatchVerdict, number | null, string | undefined]>([
    [
      'a success keeps a healthy webhook healthy',
      healthy,
      verdict({ succeeded: true }),
      null,
      undefined,
    ],
    [
      'a success ends a failing streak',
      failingFor(30),
      verdict({ succeeded: true }),
      null,
      undefined,
    ],
    [
      'a success in the batch wins over a 410 beside it',
      healthy,
      verdict({ succeeded: true, gone: true, failedAt: NOW }),
      null,
      undefined,
    ],
    [
      'a first failure starts the streak',
      healthy,
      verdict({ failedAt: NOW - 5 }),
      NOW - 5,
      undefined,
    ],
    [
      'a later failure keeps the streak’s start',
      failingFor(2),
      verdict({ failedAt: NOW }),
      NOW - 2 * HOUR,
      undefined,
    ],
    [
      'failing for the whole period disables it',
      failingFor(24),
      verdict({ failedAt: NOW }),
      NOW - 24 * HOUR,
      autoDisableReason(24 * HOUR),
    ],
    [
      'one hour short of the period does not',
      failingFor(23),
      verdict({ failedAt: NOW }),
      NOW - 23 * HOUR,
      undefined,
    ],
    [
      '410 Gone disables at once',
      healthy,
      verdict({ gone: true, failedAt: NOW }),
      null,
      GONE_REASON,
    ],
    [
      'an already disabled webhook is not disabled again',
      { enabled: false, failingSince: NOW - 48 * HOUR },
      verdict({ failedAt: NOW }),
      NOW - 48 * HOUR,
      undefined,
    ],
    [
      '410 on a disabled webhook changes nothing',
      { enabled: false, failingSince: null },
      verdict({ gone: true, failedAt: NOW }),
      null,
      undefined,
    ],
  ])('%s', (_title, state, v, failingSince, disable) => {
    expect(webhookHealth(state, v, policy)).toEqual({ failingSince, disable });
  });

  it('names the period in the reason', () => {
    expect(autoDisableReason(5 * 24 * HOUR)).toBe(
      'Every delivery failed for 120 hours; disabled automatically.',
    );
  });
});

describe('verdicts', () => {
  const outcome = (o: Partial<Outcome>): Outcome => ({
    startedAt: NOW,
    durationMs: 1,
    statusCode: 200,
    responseBody: null,
    errorClass: null,
    errorMessage: null,
    success: true,
    retryAfter: undefined,
    ...o,
  });

  it('folds a batch into one verdict per webhook, with its first failure and any 410', () => {
    const result = verdicts([
      { webhookId: 'a', outcome: outcome({ success: false, statusCode: 500, startedAt: NOW - 2 }) },
      { webhookId: 'a', outcome: outcome({ success: false, statusCode: 410, startedAt: NOW - 9 }) },
      { webhookId: 'b', outcome: outcome({}) },
      { webhookId: 'b', outcome: outcome({ success: false, statusCode: null, startedAt: NOW }) },
    ]);
    expect(result).toEqual([
      { webhookId: 'a', succeeded: false, failedAt: NOW - 9, gone: true, disableRequested: false },
      { webhookId: 'b', succeeded: true, failedAt: NOW, gone: false, disableRequested: false },
    ]);
  });
});
