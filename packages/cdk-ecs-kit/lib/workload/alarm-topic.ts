import { ArnFormat, Aws, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * Lets CloudWatch publish `owner`'s alarms to `topic` when the topic is defined in this app. A
 * topic policy replaces SNS's default policy, so a topic with one (e.g. `enforceSSL: true`) must
 * allow cloudwatch.amazonaws.com itself (SNS "Amazon SNS topic policy for CloudWatch alarms"),
 * conditioned on this account and on the alarms (confused deputy); a topic encrypted with a key of
 * this app gets the key policy statement CloudWatch needs (CloudWatch "Using Amazon CloudWatch
 * alarms", encrypted topics). An imported topic cannot be changed here: the README says what it needs.
 */
export function allowCloudWatchAlarmsToPublish(owner: IConstruct, topic: sns.ITopic, alarms: cloudwatch.Alarm[]): void {
  if (!(topic instanceof sns.Topic) || alarms.length === 0) return;
  const topicStack = Stack.of(topic);
  // In the topic's stack: alarm ARNs of another stack there would be a dependency cycle (the alarms
  // reference the topic), so a topic elsewhere gets the account's alarm ARN pattern instead.
  const sourceArns = topicStack === Stack.of(owner)
    ? alarms.map((alarm) => alarm.alarmArn)
    : [topicStack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })];
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: `CloudWatchAlarms${Names.uniqueId(owner)}`.slice(0, 100),
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': topicStack.account },
      ArnLike: { 'aws:SourceArn': sourceArns },
    },
  }));
  if (topic.masterKey instanceof kms.Key) {
    // The very statement an EcsPlatform's own key has: on that key CDK merges the two into one.
    topic.masterKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
  }
}
