import { rampProperties } from '../../support/ramp-properties';

// 200 seeds of every simulated system (~95 s on the shared machine): too slow for the unit tier. The known faults are
// the runs of these 200 seeds observed failing (docs/ramp-controller.md, "What was measured"); each is pinned
// so that its test flips when it is fixed and fails if more runs fail.
rampProperties(
  Array.from({ length: 200 }, (_, i) => i + 1),
  {
    reachable: {
      // Seeds 113 and 135: a 40 % drop of conversion split over two intervals reads as two flat comparisons
      // (12 of 2,400 seeds; 15 before the counts were settled).
      'conversion drop, early ramp': 2,
    },
    runaway: {
      // Seed 54: users at ×2 of those useful while the suspected saturation was tested (15 of 2,400; 17 before).
      'soft knee': 1,
    },
  },
);
