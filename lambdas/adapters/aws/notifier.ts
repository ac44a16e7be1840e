import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { withTransientAws } from './transient';

/** Tells the run's audience (the SNS topic's subscribers) how it ended. */
export class Notifier {
  constructor(
    private readonly topicArn: string,
    private readonly sns: SNSClient = new SNSClient({}),
  ) {}

  async publish(subject: string, message: object): Promise<void> {
    await withTransientAws('notify', () =>
      this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          // SNS subjects are ASCII, at most 100 characters.
          Subject: subject.replace(/[^\x20-\x7e]/g, '-').slice(0, 100),
          Message: JSON.stringify(message, null, 2),
        }),
      ),
    );
  }
}
