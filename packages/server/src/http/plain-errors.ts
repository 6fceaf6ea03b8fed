// ajv's errors in words a person reads beside a form field. ajv says `must match pattern
// "^[^:\r\n]*$"` or `must NOT have fewer than 1 characters`; a restaurant's staff should
// read "The username can't contain a colon". A schema may say it in its own words with
// `x-messages` (an OpenAPI extension, so /openapi.json shows them too), keyed by ajv keyword;
// otherwise a generic sentence is built from the keyword's parameters. Every field's error is
// reported, once per field, so a form can flag them all after one submit.
import type { ErrorObject } from 'ajv';

export interface FieldError {
  /** The field as a dotted path ("items.0.quantity"); absent: the request as a whole. */
  field?: string;
  message: string;
}

/** At most this many fields are reported: a hostile body must not make a huge answer. */
const MAX_FIELDS = 50;
/**
 * Only the first this many of ajv's errors are read: a megabyte of wrong list items makes
 * tens of thousands, and relating unions to their branches is quadratic.
 */
const MAX_ERRORS = 500;

type Schema = Record<string, unknown> & {
  'x-messages'?: Record<string, string>;
  properties?: Record<string, Schema>;
};

/** The field an ajv error is about, as a dotted path ("items.0.quantity"). */
export function fieldOf(error: ErrorObject): string | undefined {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (typeof params.missingProperty === 'string') path.push(params.missingProperty);
  if (typeof params.additionalProperty === 'string') path.push(params.additionalProperty);
  return path.length > 0 ? path.join('.') : undefined;
}

const typeWords: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const formatWords: Record<string, string> = {
  'date-time': 'a date and time such as 2026-12-24T19:30:00Z',
  email: 'an email address',
  uri: 'a URL',
};

function typeWord(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => typeWords[String(t)] ?? String(t)).join(' or ');
}

/** One alternative of a union, described: "a whole number from 1 to 8760", "none". */
function describe(s: Schema): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
  const word = typeWord(s.type);
  if (typeof s.minimum === 'number' && typeof s.maximum === 'number')
    return `${word} from ${s.minimum} to ${s.maximum}`;
  if (typeof s.format === 'string' && formatWords[s.format]) return formatWords[s.format]!;
  return word;
}

/** The schema's own words for this keyword, if it has any. */
function ownWords(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as Schema | undefined;
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    return missing ? parent?.properties?.[missing]?.['x-messages']?.required : undefined;
  }
  return parent?.['x-messages']?.[error.keyword];
}

function generic(error: ErrorObject, field: string | undefined): string {
  const p = error.params as Record<string, unknown>;
  const subject = field === undefined ? 'The request' : `"${field}"`;
  const limit = p.limit as number;
  switch (error.keyword) {
    case 'required':
      return `"${field}" is required`;
    case 'additionalProperties':
      return `unknown field "${field}"`;
    case 'type':
      return field === undefined
        ? `The request body must be ${p.type === 'object' ? 'a JSON object' : typeWord(p.type)}`
        : `${subject} must be ${typeWord(p.type)}`;
    case 'minLength':
      return limit === 1
        ? `${subject} can't be empty`
        : `${subject} must be at least ${limit} characters long`;
    case 'maxLength':
      return `${subject} can be at most ${limit} characters long`;
    case 'minItems':
      return limit === 1
        ? `${subject} needs at least one item`
        : `${subject} needs at least ${limit} items`;
    case 'maxItems':
      return `${subject} can have at most ${limit} items`;
    case 'uniqueItems':
      return `${subject} lists the same value twice (items ${p.j} and ${p.i})`;
    case 'minimum':
      return `${subject} must be at least ${limit}`;
    case 'maximum':
      return `${subject} can be at most ${limit}`;
    case 'exclusiveMinimum':
      return `${subject} must be more than ${limit}`;
    case 'exclusiveMaximum':
      return `${subject} must be less than ${limit}`;
    case 'enum':
      return `${field ?? 'value'} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${subject} must be ${JSON.stringify(p.allowedValue)}`;
    case 'format':
      return `${subject} must be ${formatWords[String(p.format)] ?? `a valid ${p.format}`}`;
    case 'minProperties':
      return field === undefined
        ? 'The request must change at least one field'
        : `${subject} can't be empty`;
    case 'maxProperties':
      return `${subject} has too many fields`;
    case 'pattern': {
      const description = (error.parentSchema as Schema | undefined)?.description;
      return typeof description === 'string'
        ? `${subject} is not valid: expected ${description}`
        : `${subject} is not in the expected form`;
    }
    case 'nul':
      return `${subject} must not contain NUL (\\u0000) characters`;
    default:
      return `${subject} is not valid`;
  }
}

/** A union (a nullable value, a choice of literals) failed: one sentence for all its branches. */
function unionWords(error: ErrorObject, field: string | undefined): string {
  const own = ownWords(error);
  if (own) return own;
  const branches = (error.schema as Schema[] | undefined) ?? [];
  const subject = field === undefined ? 'The request' : `"${field}"`;
  const literals = branches.every((b) => 'const' in b);
  return literals
    ? `${field ?? 'value'} must be one of ${branches.map((b) => String(b.const)).join(', ')}`
    : `${subject} must be ${branches.map(describe).join(', or ')}`;
}

/**
 * Every field's first error, in plain words. ajv must run with `allErrors` (to see them all)
 * and `verbose` (for the schema's own `x-messages`).
 */
export function plainErrors(all: readonly ErrorObject[]): FieldError[] {
  const errors = all.slice(0, MAX_ERRORS);
  // A union's branches each fail on their own. When one branch got as far as the value's
  // inside (an address object without its city), its errors say what to fix; otherwise (a
  // value of none of the types) only the union's verdict is worth reading.
  const skipped = new Set<ErrorObject>();
  for (const u of errors) {
    if (u.keyword !== 'anyOf' && u.keyword !== 'oneOf') continue;
    // The same schema applies to every item of a list: a branch error is this union's only
    // if it is also about this union's value (or inside it).
    const field = fieldOf(u);
    const schemaPrefix = `${u.schemaPath}/`;
    const valuePrefix = `${u.instancePath}/`;
    const branches = errors.filter(
      (e) =>
        e !== u &&
        e.schemaPath.startsWith(schemaPrefix) &&
        (e.instancePath === u.instancePath || e.instancePath.startsWith(valuePrefix)),
    );
    const inside = new Set(branches.filter((e) => fieldOf(e) !== field));
    if (inside.size > 0) skipped.add(u);
    for (const e of branches) if (!inside.has(e)) skipped.add(e);
  }
  const byField = new Map<string, FieldError>();
  for (const error of errors) {
    if (byField.size >= MAX_FIELDS) break;
    if (skipped.has(error)) continue;
    const field = fieldOf(error);
    const key = field ?? '';
    if (byField.has(key)) continue;
    const message =
      error.keyword === 'anyOf' || error.keyword === 'oneOf'
        ? unionWords(error, field)
        : (ownWords(error) ?? generic(error, field));
    byField.set(key, field === undefined ? { message } : { field, message });
  }
  return [...byField.values()];
}
