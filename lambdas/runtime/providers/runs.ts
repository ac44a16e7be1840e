import { RunStore } from '../../adapters/aws/run-store';
import { requireEnv } from '../environment';

/** The runs table (`RUNS_TABLE`): locks, recorded shapes, ticks, phases. */
export const runs = (): RunStore => new RunStore(requireEnv('RUNS_TABLE'));
