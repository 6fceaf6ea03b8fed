// Two validators: bodies are strict (wrong types and unknown fields are refused, nothing is
// coerced or silently dropped); query strings and path params are text by nature, so they
// are coerced to the declared number/boolean types.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats ships CJS with a default export that NodeNext sees as the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const strict = makeAjv(false);
const coercing = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
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

export function messageOf(error: ErrorObject, field: string | undefined): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unknown field "${field}"`;
  if (error.keyword === 'required') return `"${field}" is required`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `${field ?? 'value'} must be one of ${params.allowedValues.join(', ')}`;
  }
  return `${field ?? 'value'} ${error.message ?? 'is invalid'}`;
}
