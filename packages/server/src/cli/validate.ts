// Command input is checked against the same schemas as the API's request bodies, so the CLI
// can't create what the API would refuse; errors name the option, not the JSON field.
import type { TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { plainErrors } from '../http/plain-errors.js';
import { validatorCompiler } from '../http/validation.js';
import { usageError } from './errors.js';

const compiled = new WeakMap<TSchema, (value: unknown) => boolean>();

// Messages for the patterns people meet most; ajv would print the regular expression.
const hints: Record<string, string> = {
  id: 'must be a slug such as the-fish: lowercase letters, digits and dashes, 1 to 64 characters',
};

export function checkInput(schema: TSchema, value: unknown, flags: Record<string, string>): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '' }) as (
      value: unknown,
    ) => boolean;
    compiled.set(schema, validate);
  }
  if (validate(value)) return;
  const errors = (validate as unknown as { errors: ErrorObject[] }).errors;
  const problems = plainErrors(errors).map(({ field, message }) => {
    const flag = (field && flags[field.split('.')[0]!]) ?? field ?? 'input';
    const pattern = errors.find((e) => e.keyword === 'pattern' && e.instancePath === `/${field}`);
    const said =
      pattern && field && hints[field] ? hints[field] : message.replace(/^"[^"]*"\s*/, '');
    return `${flag}: ${said}`;
  });
  throw usageError(problems.join('\n'));
}
