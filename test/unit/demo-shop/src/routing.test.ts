import { describe, expect, it } from 'vitest';
import { choosePaymentRoute, isLoadTestRequest } from '../../../../demo-shop/src/routing';

const urls = { testHeader: 'X-Load-Test', mockPaymentUrl: 'http://mock', realPaymentUrl: 'http://real' };

describe('isLoadTestRequest', () => {
  it.each([
    [{ 'x-load-test': 'true' }, true],
    [{ 'x-load-test': 'TRUE ' }, true],
    [{ 'x-load-test': ['false', 'true'] }, true],
    [{ 'x-load-test': 'false' }, false],
    [{ 'x-load-test': '1' }, false],
    [{ 'x-load-test': '' }, false],
    [{ 'x-other': 'true' }, false],
    [{}, false],
  ])('%j -> %s', (headers, expected) => {
    expect(isLoadTestRequest(headers, 'X-Load-Test')).toBe(expected);
  });

  it('honours a configured header name', () => {
    expect(isLoadTestRequest({ 'x-synthetic': 'true' }, 'X-Synthetic')).toBe(true);
    expect(isLoadTestRequest({ 'x-load-test': 'true' }, 'X-Synthetic')).toBe(false);
  });
});

describe('choosePaymentRoute', () => {
  it('sends marked traffic to the mock and flags it as test', () => {
    expect(choosePaymentRoute({ 'x-load-test': 'true' }, urls)).toEqual({
      target: 'mock',
      url: 'http://mock',
      test: true,
    });
  });

  it('sends everything else to the real provider', () => {
    expect(choosePaymentRoute({}, urls)).toEqual({ target: 'real', url: 'http://real', test: false });
    expect(choosePaymentRoute({ 'x-load-test': 'no' }, urls)).toEqual({
      target: 'real',
      url: 'http://real',
      test: false,
    });
  });

  it('never falls back to the real provider for load-test traffic', () => {
    const route = choosePaymentRoute({ 'x-load-test': 'true' }, { ...urls, mockPaymentUrl: undefined });
    expect(route.target).toBe('none');
    expect(route).toMatchObject({ test: true, reason: expect.stringMatching(/mock payment provider/) });
  });
});
