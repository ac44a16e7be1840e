import { describe, expect, it } from 'vitest';
import { escapeText, MAX_PROBLEMS_SHOWN, problemLines, shown, valueAt } from '../../../cli/output';
import { harness } from '../../support/cli-fakes';

describe('escapeText', () => {
  it.each([
    ['an ANSI colour', 'red\u001b[31mX', 'red\\u{001b}[31mX'],
    ['a NUL byte', 'a\u0000b', 'a\\u{0000}b'],
    ['a BOM', '\ufeffstaging', '\\u{feff}staging'],
    ['zero-width space and joiner', 'sta\u200bg\u200ding', 'sta\\u{200b}g\\u{200d}ing'],
    ['a bidi override', 'abc\u202edcba', 'abc\\u{202e}dcba'],
    ['a C1 control', 'x\u009by', 'x\\u{009b}y'],
    ['a carriage return', 'ok\rEVIL', 'ok\\u{000d}EVIL'],
    ['a lone surrogate', 'a\ud800b', 'a\\u{d800}b'],
  ])('writes %s as \\u{…}', (_what, text, escaped) => {
    expect(escapeText(text)).toBe(escaped);
  });

  it('keeps ordinary text, tabs, newlines and astral characters', () => {
    expect(escapeText('staging\tcheckout\nkäse ✓ 😀')).toBe('staging\tcheckout\nkäse ✓ 😀');
  });
});

describe('shown', () => {
  it('quotes strings, not other values', () => {
    expect(shown('x')).toBe("'x'");
    expect(shown(12)).toBe('12');
    expect(shown(['a'])).toBe('["a"]');
  });
  it('cuts a long value and says how long it was', () => {
    expect(shown('a'.repeat(200))).toBe(`'${'a'.repeat(80)}'… (200 characters)`);
  });
});

describe('problemLines', () => {
  it('shows the value that broke a rule that does not show it, escaped', () => {
    const input = { environment: 'Stag\u001b[2Jing' };
    expect(
      problemLines([{ field: 'environment', rule: 'must match ^[a-z0-9][a-z0-9-]{0,62}$' }], input),
    ).toEqual(["environment: must match ^[a-z0-9][a-z0-9-]{0,62}$ (got 'Stag\\u{001b}[2Jing')"]);
  });

  it('escapes a value the rule itself quotes, and does not repeat it', () => {
    const input = { applications: ['x\u200by'] };
    expect(
      problemLines([{ field: 'applications[0]', rule: "'x\u200by' is not an application" }], input),
    ).toEqual(["applications[0]: 'x\\u{200b}y' is not an application"]);
  });

  it(`lists ${MAX_PROBLEMS_SHOWN} problems, then counts the rest`, () => {
    const problems = Array.from({ length: 800_000 }, (_, i) => ({
      field: `applications[${i}]`,
      rule: 'is unknown',
    }));
    const lines = problemLines(problems, {});
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 1);
    expect(lines.at(-1)).toBe('… and 799980 more problems');
  });
});

describe('valueAt', () => {
  it('follows a field path through own properties only', () => {
    expect(valueAt({ a: [{ b: 1 }] }, 'a[0].b')).toBe(1);
    expect(valueAt({}, 'constructor')).toBeUndefined();
    expect(valueAt({ a: 'x' }, 'a.length')).toBeUndefined();
  });
});

describe('what the commands echo is escaped', () => {
  it('a flag value with ANSI codes and NUL', async () => {
    const h = harness();
    expect(await h.run('validate', '--target', '1\u001b[31m\u0000')).toBe(2);
    expect(h.stderr.text).toContain("--target: '1\\u{001b}[31m\\u{0000}' is not a number");
    expect(h.stderr.text).not.toContain('\u001b');
    expect(h.stderr.text).not.toContain('\u0000');
  });

  it('an unknown command with a zero-width space', async () => {
    const h = harness();
    expect(await h.run('sta\u200btus')).toBe(2);
    expect(h.stderr.text).toContain("unknown command 'sta\\u{200b}tus'");
  });

  it('a bad environment name, shown with the rule it broke', async () => {
    const h = harness();
    expect(await h.run('validate', '--environment', '\ufeffstaging', '--target', '10')).toBe(2);
    expect(h.stderr.text).toContain(
      "environment: must match ^[a-z0-9][a-z0-9-]{0,62}$ (got '\\u{feff}staging')",
    );
  });
});
