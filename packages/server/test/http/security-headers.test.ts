// Issue #13 item 7: every answer carries the security headers (helmet, built once); the browser
// half (the UI and /docs working under the policy, framing refused) is in packages/web.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('security headers', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it.each([
    '/',
    '/settings/integration/developers/webhooks',
    '/v1/session',
    '/v1/nowhere',
    '/healthz',
    '/openapi.json',
    '/docs/',
    '/%00',
  ])('sends a strict policy, no framing, nosniff and no Referer on %s', async (url) => {
    const res = await h.app.inject({ method: 'GET', url });
    const csp = String(res.headers['content-security-policy']);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('default-src')).toBe("'self'");
    // No inline scripts, no eval, and nothing from elsewhere.
    expect(directives.get('script-src')).toBe("'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    // For browsers without CSP frame-ancestors.
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // Inline styles only where Swagger UI needs them.
    const styles = url.startsWith('/docs') ? "'self' 'unsafe-inline'" : "'self'";
    expect(directives.get('style-src')).toBe(styles);
  });
});
