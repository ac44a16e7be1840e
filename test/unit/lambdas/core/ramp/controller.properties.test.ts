import { rampProperties } from '../../../../support/ramp-properties';

// A small sample keeps the unit tier fast; test/e2e/ramp/controller-properties.test.ts runs 200 seeds.
rampProperties([1, 2, 3]);
