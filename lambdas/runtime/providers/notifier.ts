import { Notifier } from '../../adapters/aws/notifier';
import { requireEnv } from '../environment';

/** The run's notification topic (`TOPIC_ARN`). */
export const notifier = (): Notifier => new Notifier(requireEnv('TOPIC_ARN'));
