/** The shop's side of the payment provider API (`POST /v1/payments`), real or simulated alike. */

export interface PaymentRequest {
  amount: number;
  currency: string;
  reference: string;
}

export type PaymentResult =
  | { kind: 'authorized'; paymentId: string }
  | { kind: 'declined'; reason: string }
  | { kind: 'failed'; detail: string };

export type PayFn = (
  baseUrl: string,
  payment: PaymentRequest,
  opts: { timeoutMs: number; headers?: Record<string, string> },
) => Promise<PaymentResult>;

export const requestPayment: PayFn = async (baseUrl, payment, opts) => {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
      body: JSON.stringify(payment),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { kind: 'failed', detail: e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message) };
  }
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: handled by the status checks below
  }
  if (res.status === 201 || res.status === 200) {
    if (typeof body.paymentId === 'string' && body.status === 'authorized') {
      return { kind: 'authorized', paymentId: body.paymentId };
    }
    return { kind: 'failed', detail: `unexpected answer ${res.status}: ${text.slice(0, 200)}` };
  }
  if (res.status === 402) {
    return { kind: 'declined', reason: typeof body.reason === 'string' ? body.reason : 'declined' };
  }
  return { kind: 'failed', detail: `status ${res.status}: ${text.slice(0, 200)}` };
};
