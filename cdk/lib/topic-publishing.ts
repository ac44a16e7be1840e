import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** The Sid of the statement that lets a publisher use an encrypted topic's key (cdk/lib/grant-reasons.ts). */
export const TOPIC_KEY_SID = 'PublishesWithTopicKey';

/**
 * Lets `grantee` publish to `topic`. SNS encrypts the message with the publisher's own permissions on the
 * topic's key, so a key's use is granted beside the publish, under its own Sid (`publishSid` names the
 * publish statement when the grant needs a reason).
 */
export function grantPublishing(topic: sns.ITopic, grantee: iam.IGrantable, publishSid?: string): void {
  const role = grantee.grantPrincipal;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: publishSid, actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  if (topic.masterKey)
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: TOPIC_KEY_SID,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: [topic.masterKey.keyArn],
      }),
    );
}
