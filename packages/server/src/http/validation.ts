// Two validators: bodies are strict (wrong types and unknown fields are refused, nothing is
// coerced or silently dropped); query strings and path params are text by nature, so they
// are coerced to the declared number/boolean types.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isInstant } from './instant.js';

// ajv-formats ships CJS with a default export that NodeNext sees as the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    // Every error at once (a form flags all its fields after one submit), with the schema
    // each came from (for its own words: see plain-errors.ts).
    allErrors: true,
    verbose: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
    strict: false,
  });
  addFormats(ajv);
  // Stricter than ajv-formats: a real moment, no leap second (see instant.ts).
  ajv.addFormat('date-time', { type: 'string', validate: isInstant });
  return ajv;
}

const strict = makeAjv(false);
const coercing = makeAjv(true);

const NUL = '\u0000';

/**
 * The JSON pointer of the first string (a value or a key) holding U+0000, if any. PostgreSQL
 * can't store NUL in text, and no field of ours has a use for it: refusing it here gives one
 * answer on both stores, a 400 naming the field, instead of a 500 on PostgreSQL. Iterative,
 * because a body may nest deeper than the stack.
 */
function nulAt(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return path;
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (key.includes(NUL)) return at;
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

/**
 * Node gives header names in lower case, and Fastify lower-cases a headers schema only for its
 * own compiler, not for a custom one like this: a schema naming "Idempotency-Key" would never
 * match, and its rules would silently never run. So the names are lowered here (top level:
 * our header schemas are flat objects); the route's schema, and OpenAPI, keep their spelling.
 */
function lowerCaseHeaderNames(schema: object): object {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] };
  return {
    ...s,
    ...(s.properties && {
      properties: Object.fromEntries(
        Object.entries(s.properties).map(([name, v]) => [name.toLowerCase(), v]),
      ),
    }),
    ...(s.required && { required: s.required.map((name) => name.toLowerCase()) }),
  };
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  const validate = ajv.compile(
    httpPart === 'headers' ? lowerCaseHeaderNames(schema as object) : (schema as object),
  );
  const checked = (data: unknown): boolean => {
    const at = nulAt(data);
    if (at !== undefined) {
      checked.errors = [
        {
          instancePath: at,
          schemaPath: '#',
          keyword: 'nul',
          params: {},
          message: 'must not contain NUL (\\u0000) characters',
        },
      ];
      return false;
    }
    const ok = validate(data) as boolean;
    checked.errors = validate.errors;
    return ok;
  };
  checked.errors = null as ErrorObject[] | null | undefined;
  return checked as unknown as ReturnType<FastifySchemaCompiler<unknown>>;
};
