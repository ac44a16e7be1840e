import { createRequire } from 'node:module';

interface AslResult {
  readonly isValid: boolean;
  readonly errorsText: (separator?: string) => string;
}
/** asl-validator ships no types; it also writes defaults into what it is given, so it gets a copy. */
export const validateAsl = (definition: unknown): AslResult =>
  (createRequire(import.meta.url)('asl-validator') as (d: unknown, o: object) => AslResult)(
    structuredClone(definition),
    { checkArn: true, checkPaths: true },
  );
