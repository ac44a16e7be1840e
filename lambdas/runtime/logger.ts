import { Logger } from '@aws-lambda-powertools/logger';

/** The steps' structured logger (JSON lines in CloudWatch Logs). */
export const logger = new Logger({ serviceName: 'load-test-conductor' });
