import { type ConductorConfig, parseConfig } from '../../core/config';
import { missingEnv } from '../environment';

/** The configuration, parsed once on first use from `LTC_CONFIG` (inlined at bundle time in AWS). */
export const config = (): (() => ConductorConfig) => {
  let parsed: ConductorConfig | undefined;
  // Written out as `process.env.LTC_CONFIG`: esbuild's `define` only replaces that exact
  // expression, so a dynamic `process.env[name]` would miss the configuration inlined in AWS.
  return () => {
    parsed ??= parseConfig(JSON.parse(process.env.LTC_CONFIG || missingEnv('LTC_CONFIG')));
    return parsed;
  };
};
