import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { error, field, type JsonHandler, json, jsonListener } from './http';

/**
 * The "real" payment provider of the demo: a tiny loopback server that authorizes payments and records
 * every charge it receives, so tests can prove that load-test traffic never reaches it.
 *   POST /v1/payments {amount, currency, reference} -> 201 {paymentId: "real-…", status: "authorized", reference}
 *                                                     402 {status: "declined"} at exactly 13.13, like the simulation
 *   GET  /v1/charges  -> [{paymentId, amount, currency, reference, status, loadTestHeader, receivedAt}]
 *   GET  /v1/health   -> {status: "ok"}
 * Run on its own: `tsx demo-shop/src/real-payment-provider.ts --port 9090` (prints `real-payment-provider ready <url>`).
 */

export interface Charge {
  paymentId: string;
  amount: number;
  currency: string;
  reference: string;
  status: 'authorized' | 'declined';
  /** The X-Load-Test header as received, if any: should never be "true". */
  loadTestHeader: string | undefined;
  receivedAt: string;
}

export const DECLINED_AMOUNT = 13.13;

export function createRealPaymentProviderHandler(charges: Charge[] = []): JsonHandler {
  return ({ method, path, body, headers }) => {
    if (path === '/v1/health' && method === 'GET') return json(200, { status: 'ok', provider: 'real' });
    if (path === '/v1/charges' && method === 'GET') return json(200, charges);
    if (path === '/v1/payments' && method === 'POST') {
      const amount = field(body, 'amount');
      const currency = field(body, 'currency');
      const reference = field(body, 'reference');
      if (typeof amount !== 'number' || !(amount > 0)) return error(400, 'amount must be a positive number');
      if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
        return error(400, 'currency must be an ISO 4217 code');
      }
      if (typeof reference !== 'string' || reference === '') return error(400, 'reference must be a string');
      const declined = amount === DECLINED_AMOUNT;
      const charge: Charge = {
        paymentId: `real-${randomUUID()}`,
        amount,
        currency,
        reference,
        status: declined ? 'declined' : 'authorized',
        loadTestHeader: headers['x-load-test'] as string | undefined,
        receivedAt: new Date().toISOString(),
      };
      charges.push(charge);
      return declined
        ? json(402, {
            paymentId: charge.paymentId,
            status: 'declined',
            reason: 'insufficient_funds',
            reference,
          })
        : json(201, { paymentId: charge.paymentId, status: 'authorized', reference });
    }
    return error(404, `${method} ${path} is not part of the payment API`);
  };
}

/** Start the provider on 127.0.0.1 (port 0 = any free port). */
export async function listenRealPaymentProvider(
  port = 0,
  host = '127.0.0.1',
): Promise<{ server: Server; url: string; charges: Charge[] }> {
  const charges: Charge[] = [];
  const server = createServer(jsonListener(createRealPaymentProviderHandler(charges)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host}:${actualPort}`, charges };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.REAL_PAYMENT_PORT ?? '0' },
      host: { type: 'string' },
    },
  });
  const { url } = await listenRealPaymentProvider(Number(values.port), values.host ?? '127.0.0.1');
  console.log(`real-payment-provider ready ${url}`);
  const exit = () => process.exit(0);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
}
