// Shared by the reliability files: where logs and secrets go for the final audit, the
// measured results, and small helpers to talk to the real binary over HTTP.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Running } from '../../support/process.js';

const dir = () => inject('reliabilityRunDir');

/** A webhook password, API key… used by a test: the audit greps every log for it. */
export function recordSecret(what: string, value: string): void {
  appendFileSync(
    join(dir(), 'secrets', `${process.pid}.jsonl`),
    `${JSON.stringify({ what, value })}\n`,
  );
}

/** Appends to one log file of this run (an in-process app's log, a subprocess's output). */
export function logSink(name: string): (text: string) => void {
  const file = join(dir(), 'logs', `${name}-${process.pid}.log`);
  return (text) => appendFileSync(file, text);
}

/** A measured result: printed, and kept in results.jsonl for docs/reliability.md. */
export function report(scenario: string, result: Record<string, unknown>): void {
  const line = JSON.stringify({ scenario, ...result });
  process.stdout.write(`[reliability] ${line}\n`);
  appendFileSync(join(dir(), 'results.jsonl'), `${line}\n`);
}

/** Saves a subprocess's stdout and stderr for the audit once it has exited. */
export function keepOutput(name: string, server: Running): void {
  void server.exited.then(() => {
    logSink(name)(`${server.stdout()}\n${server.stderr()}\n`);
  });
}

export interface HttpAnswer {
  status: number;
  json: any;
  headers: Headers;
}

export async function http(
  baseUrl: string,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  signal?: AbortSignal,
): Promise<HttpAnswer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(key ? { 'api-key': key } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seeded, so a failing run can be repeated: RELIABILITY_SEED=… npm run test:reliability. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

export const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
