import { defaultPlatforms, type PlatformAdapter } from '../../adapters/platforms';

/** Every platform type (http, kubernetes, ecs), chosen per application by the registry. */
export const platform = (): PlatformAdapter => defaultPlatforms();
