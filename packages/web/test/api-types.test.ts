// The UI's types are generated from the server's OpenAPI: this fails when an API schema
// changed and src/api-types.ts was not regenerated (npm run api-types -w @tablehooks/web).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES, generate } from '../scripts/api-types.js';

describe('generated API types', () => {
  it('src/api-types.ts is what the running server’s /openapi.json generates', async () => {
    const fresh = await generate();
    expect(readFileSync(API_TYPES, 'utf8') === fresh, 'src/api-types.ts is stale').toBe(true);
  });
});
