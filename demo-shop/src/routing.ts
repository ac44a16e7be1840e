/**
 * Header-based routing of the payment call, the way Zalando used Skipper: traffic marked as load test goes
 * to the mock provider (Hoverfly), everything else to the real one. Load-test traffic never falls back to
 * the real provider: without a mock URL such an order is refused.
 */

export type Headers = Record<string, string | string[] | undefined>;

/** True when the request carries `<testHeader>: true` (header name and value case-insensitive). */
export function isLoadTestRequest(headers: Headers, testHeader: string): boolean {
  const value = headers[testHeader.toLowerCase()];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.some((v) => v.trim().toLowerCase() === 'true');
}

export type PaymentRoute =
  | { target: 'mock'; url: string; test: true }
  | { target: 'real'; url: string; test: false }
  | { target: 'none'; test: true; reason: string };

export function choosePaymentRoute(
  headers: Headers,
  opts: { testHeader: string; mockPaymentUrl: string | undefined; realPaymentUrl: string },
): PaymentRoute {
  if (!isLoadTestRequest(headers, opts.testHeader)) {
    return { target: 'real', url: opts.realPaymentUrl, test: false };
  }
  if (opts.mockPaymentUrl === undefined) {
    return {
      target: 'none',
      test: true,
      reason: `load-test traffic (${opts.testHeader}: true) needs a mock payment provider, and none is configured`,
    };
  }
  return { target: 'mock', url: opts.mockPaymentUrl, test: true };
}
