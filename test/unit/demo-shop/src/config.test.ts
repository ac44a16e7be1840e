import { describe, expect, it } from 'vitest';
import { parseShopConfig } from '../../../../demo-shop/src/config';

const REAL = ['--real-payment-url', 'http://127.0.0.1:9090'];

describe('parseShopConfig', () => {
  it('has loopback defaults', () => {
    expect(parseShopConfig(REAL)).toMatchObject({
      host: '127.0.0.1',
      shopPort: 8080,
      adminPort: 8081,
      mockPaymentUrl: undefined,
      realPaymentUrl: 'http://127.0.0.1:9090',
      version: '1.0.0',
      replicas: 1,
      readOnly: false,
      testHeader: 'X-Load-Test',
      requestsPerConnection: 10,
    });
  });

  it('reads flags, which win over environment variables', () => {
    const config = parseShopConfig(
      [
        ...REAL,
        '--shop-port',
        '9000',
        '--replicas',
        '3',
        '--read-only',
        '--mock-payment-url',
        'http://h:8500/',
      ],
      { DEMO_SHOP_PORT: '1234', DEMO_SHOP_ADMIN_PORT: '9001', DEMO_SHOP_VERSION: '1.4.2' },
    );
    expect(config).toMatchObject({
      shopPort: 9000,
      adminPort: 9001,
      replicas: 3,
      readOnly: true,
      version: '1.4.2',
      mockPaymentUrl: 'http://h:8500',
    });
  });

  it('reads everything from the environment', () => {
    const config = parseShopConfig([], {
      DEMO_SHOP_REAL_PAYMENT_URL: 'https://pay.example',
      DEMO_SHOP_DB: '/tmp/x.sqlite',
      DEMO_SHOP_READ_ONLY: 'true',
      DEMO_SHOP_ORDER_CONCURRENCY: '4',
    });
    expect(config).toMatchObject({
      realPaymentUrl: 'https://pay.example',
      dbPath: '/tmp/x.sqlite',
      readOnly: true,
    });
    expect(config.orderConcurrency).toBe(4);
    expect(parseShopConfig(REAL, { DEMO_SHOP_REQUESTS_PER_CONNECTION: '0' }).requestsPerConnection).toBe(0);
  });

  it.each([
    [[], /--real-payment-url .* is required/],
    [[...REAL, '--replicas', '0'], /--replicas .* 1\.\.16/],
    [[...REAL, '--replicas', '17'], /--replicas/],
    [[...REAL, '--shop-port', 'http'], /--shop-port/],
    [[...REAL, '--app-version', 'bad version'], /--app-version/],
    [['--real-payment-url', 'ftp://x'], /--real-payment-url .* http\(s\) URL/],
    [[...REAL, '--mock-payment-url', 'not a url'], /--mock-payment-url/],
    [[...REAL, '--nope'], /nope/],
    [[...REAL, '--requests-per-connection', '2.5'], /--requests-per-connection .* 0\.\.100000/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseShopConfig(argv)).toThrow(message);
  });

  it('reads checkout delays per version, and names a bad entry', () => {
    expect(parseShopConfig(REAL).checkoutDelayMs).toEqual({});
    expect(parseShopConfig([...REAL, '--checkout-delay', '2.6.0-slow=150, 3.0.0=0']).checkoutDelayMs).toEqual(
      { '2.6.0-slow': 150, '3.0.0': 0 },
    );
    expect(parseShopConfig(REAL, { DEMO_SHOP_CHECKOUT_DELAY: 'x=5' }).checkoutDelayMs).toEqual({ x: 5 });
    for (const bad of ['2.6.0', '2.6.0=-1', '=5', '2.6.0=1.5', 'a=1=2']) {
      expect(() => parseShopConfig([...REAL, '--checkout-delay', bad]), bad).toThrow(
        /^--checkout-delay \(DEMO_SHOP_CHECKOUT_DELAY\) entries must be <version>=<ms>/,
      );
    }
  });
});
