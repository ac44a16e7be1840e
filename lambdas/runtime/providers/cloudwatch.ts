import { CloudWatchGateway } from '../../adapters/aws/cloudwatch';

/** The test's metrics and the teams' alarms (the SLO watch). */
export const cloudwatch = (): CloudWatchGateway => new CloudWatchGateway();
