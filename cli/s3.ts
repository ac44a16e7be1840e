import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { callAws, clientSettings } from './aws';

/** The S3 call `ltc report` makes; tests against moto use the real one. */
export interface Bucket {
  /** The object's bytes; a {@link ServiceError} (code `NoSuchKey`, `NoSuchBucket`, …) when it cannot be read. */
  getObject(bucket: string, key: string): Promise<Uint8Array>;
}

export function sdkS3(region: string, env: Readonly<Record<string, string | undefined>>): Bucket {
  const client = new S3Client({
    ...clientSettings(region, env),
    // Custom endpoints (moto, MinIO) serve buckets by path, not by host name.
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
  });
  return {
    getObject: (bucket, key) =>
      callAws('s3', region, env, `GetObject s3://${bucket}/${key}`, async () => {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
        return object.Body.transformToByteArray();
      }),
  };
}
