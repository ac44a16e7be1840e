import { rampProperties } from '../../unit/core/ramp/ramp-properties';

// 200 seeds of every simulated system (~10 min on one core): too slow for the unit tier.
rampProperties(Array.from({ length: 200 }, (_, i) => i + 1));
