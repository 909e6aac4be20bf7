import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { EcsPlatform, FargateWebService } from '../packages/cdk-ecs-kit/lib';
import { newStack } from './support/synth';

// ECS "Pass Secrets Manager secrets through Amazon ECS environment variables" / "Amazon ECS task
// execution IAM role" (required permissions for secrets): a secret encrypted with a customer
// managed key needs kms:Decrypt on that key for the execution role, or the task fails to start.
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-AbCdEf';
const SECRET_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const PARAMETER_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000';

test('secretsEncryptionKeys without secrets is rejected', () => {
  const stack = newStack('Keys');
  const platform = new EcsPlatform(stack, 'Platform');
  expect(() => new FargateWebService(stack, 'Api', {
    platform,
    container: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'), port: 8080, secretsEncryptionKeys: [kms.Key.fromKeyArn(stack, 'K', SECRET_KEY_ARN)] },
  })).toThrow(/\[Keys\/Api\] container\.secretsEncryptionKeys: is set, but container\.secrets is empty/);
});

describe('secrets encrypted with a customer managed key', () => {
  const stack = newStack('Keys');
  const platform = new EcsPlatform(stack, 'Platform');
  // aws-cdk-lib grants nothing on the key given to Secret.fromSecretAttributes: the container
  // names the keys of its secrets in secretsEncryptionKeys.
  const dbSecretKey = kms.Key.fromKeyArn(stack, 'DbSecretKey', SECRET_KEY_ARN);
  const dbSecret = secretsmanager.Secret.fromSecretAttributes(stack, 'DbSecret', {
    secretCompleteArn: SECRET_ARN,
    encryptionKey: dbSecretKey,
  });
  const apiToken = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiToken', {
    parameterName: '/orders/api-token',
    encryptionKey: kms.Key.fromKeyArn(stack, 'ApiTokenKey', PARAMETER_KEY_ARN),
  });
  const plainSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'PlainSecret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/plain-AbCdEf');
  const service = new FargateWebService(stack, 'Orders', {
    platform,
    container: {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable'),
      port: 8080,
      secrets: {
        DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password'),
        API_TOKEN: ecs.Secret.fromSsmParameter(apiToken),
        PLAIN: ecs.Secret.fromSecretsManager(plainSecret),
      },
      secretsEncryptionKeys: [dbSecretKey],
    },
  });
  const template = Template.fromStack(stack);
  const executionRoleId = stack.getLogicalId(service.executionRole.node.defaultChild as any);
  const statements: any[] = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === executionRoleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
  const decrypts = statements.filter((s) => [s.Action].flat().includes('kms:Decrypt'));

  test('the execution role may decrypt with the secret\'s key, through Secrets Manager or SSM only', () => {
    expect(decrypts).toContainEqual(expect.objectContaining({
      Resource: SECRET_KEY_ARN,
      Condition: {
        StringEquals: {
          'kms:ViaService': [
            { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          ],
        },
      },
    }));
  });

  test('the execution role may decrypt with the SecureString parameter\'s key', () => {
    expect(decrypts).toContainEqual(expect.objectContaining({ Resource: PARAMETER_KEY_ARN }));
  });

  test('no other key: kms:Decrypt is granted on exactly those two keys', () => {
    const keys = decrypts.flatMap((s) => [s.Resource].flat());
    expect(keys.sort()).toEqual([PARAMETER_KEY_ARN, SECRET_KEY_ARN].sort());
  });

  test('each secret is readable by the execution role only, and the task role reads none', () => {
    const taskRoleId = stack.getLogicalId(service.taskRole.node.defaultChild as any);
    const taskRoleStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === taskRoleId));
    expect(taskRoleStatements).toEqual([]);
    expect(statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue')).length).toBeGreaterThan(0);
  });
});
