import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto';

/** Names of the emulated resources, as the step handlers read them from the environment. */
export interface LocalAwsResources {
  readonly RUNS_TABLE: string;
  readonly REPORTS_BUCKET: string;
  readonly TOPIC_ARN: string;
}

/** The runs table's keys as the stack defines them, for tests that do not synthesize the stack. */
export const RUNS_TABLE_KEYS = {
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
} as const;

/**
 * Creates the runs table (from the synthesized stack's own properties, so
 * keys and TTL are the deployed ones), the reports bucket and the topic in the
 * AWS emulator.
 */
export async function createLocalAwsResources(
  endpoint: string,
  runsTable: Record<string, unknown>,
): Promise<LocalAwsResources> {
  const config = { endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  const names = { table: 'ltc-runs', bucket: 'ltc-reports', topic: 'ltc-notifications' };
  await new DynamoDBClient(config).send(
    new CreateTableCommand({
      TableName: names.table,
      KeySchema: runsTable.KeySchema as CreateTableCommandInput['KeySchema'],
      AttributeDefinitions: runsTable.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await new S3Client({ ...config, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: names.bucket }),
  );
  const { TopicArn } = await new SNSClient(config).send(new CreateTopicCommand({ Name: names.topic }));
  if (!TopicArn) throw new Error('the emulator created no topic');
  return { RUNS_TABLE: names.table, REPORTS_BUCKET: names.bucket, TOPIC_ARN: TopicArn };
}
