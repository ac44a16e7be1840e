import { describe, expect, it } from 'vitest';
import { nodeTooOld, requiredMajor } from '../../../cli/node-version';

describe('the Node version check', () => {
  it.each([
    ['>=24', 24],
    ['^24.1.0', 24],
    ['24.x', 24],
    ['>= 26', 26],
    [undefined, undefined],
    ['*', undefined],
  ])('engines %j requires major %j', (engines, major) => {
    expect(requiredMajor(engines)).toBe(major);
  });

  it('refuses an older Node, saying how to run ltc', () => {
    expect(nodeTooOld('v20.20.2', '>=24')).toBe(
      'ltc: needs Node 24 or newer (package.json engines: ">=24"); this is Node v20.20.2.\n' +
        "Run it with the project's own Node: npm run ltc -- <command> …, or node_modules/.bin/node node_modules/.bin/tsx cli/bin/ltc.ts <command> …",
    );
  });

  it.each(['v24.0.0', 'v24.21.0', 'v26.1.0'])('accepts %s', (version) => {
    expect(nodeTooOld(version, '>=24')).toBeUndefined();
  });

  it('accepts any Node when engines says nothing', () => {
    expect(nodeTooOld('v18.0.0', undefined)).toBeUndefined();
  });
});
