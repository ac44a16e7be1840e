import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REPORTS_PREFIX } from '../../contracts';
import { withTransientAws } from './transient';

/** Run reports in the reports bucket, under `runs/<environment>/<execution name>/`. */
export class ReportStore {
  constructor(
    private readonly bucket: string,
    private readonly s3: S3Client = new S3Client({}),
  ) {}

  /** Stores one file of a run's report and returns its `s3://` location. */
  async put(
    environment: string,
    executionName: string,
    file: string,
    body: string,
    contentType: string,
  ): Promise<string> {
    const key = `${REPORTS_PREFIX}${environment}/${executionName}/${file}`;
    await withTransientAws('store report', () =>
      this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      ),
    );
    return `s3://${this.bucket}/${key}`;
  }
}
