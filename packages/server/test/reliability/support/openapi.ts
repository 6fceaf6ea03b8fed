// Every route, as /openapi.json describes it: the tenant and hostile-input tests walk this
// list, so a route added later is covered without anyone remembering to add it here.
import type { App } from '../../../src/app.js';

export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** '/v1/facility/{facility_id}/webhooks/{webhook_id}' */
  path: string;
  pathParams: string[];
  query: { name: string; schema: any; required: boolean }[];
  body: any | undefined;
  /** Public routes (login) need no credentials. */
  secured: boolean;
}

export async function operationsOf(app: App): Promise<Operation[]> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const params: any[] = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
        body: op.requestBody?.content?.['application/json']?.schema,
        secured: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return ops;
}

export function fill(path: string, values: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    // A lone surrogate can't be %-encoded; send what a client would: U+FFFD.
    return encodeURIComponent(
      String(value).replace(/[\ud800-\udfff]/g, (c, i, all: string) => {
        const code = c.charCodeAt(0);
        const pair = code < 0xdc00 ? all.charCodeAt(i + 1) : all.charCodeAt(i - 1);
        const paired =
          code < 0xdc00 ? pair >= 0xdc00 && pair <= 0xdfff : pair >= 0xd800 && pair < 0xdc00;
        return paired ? c : '\ufffd';
      }),
    );
  });
}

/** `url` with a valid value for each required query parameter (e.g. the sample's `event`). */
export function withRequiredQuery(op: Operation, url: string): string {
  const required = op.query.filter((q) => q.required);
  if (required.length === 0) return url;
  const pairs = required.map((q): [string, string] => [q.name, String(sample(q.schema))]);
  return `${url}?${new URLSearchParams(pairs)}`;
}

/** A small valid instance of a JSON schema: required fields only, first enum values. */
export function sample(schema: any): unknown {
  if (!schema || typeof schema !== 'object') return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key]))
      return sample(schema[key].find((s: any) => s.type !== 'null') ?? schema[key][0]);
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((s: any) => sample(s) as object));
  }
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = sample(schema.properties?.[name]);
      if (schema.minProperties && Object.keys(out).length === 0) {
        const [first] = Object.keys(schema.properties ?? {});
        if (first) out[first] = sample(schema.properties[first]);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items));
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date-time') return '2026-12-24T19:30:00+01:00';
      if (schema.format === 'email') return 'someone@example.com';
      if (schema.format === 'uri') return 'https://example.com/hook';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return null;
  }
}
