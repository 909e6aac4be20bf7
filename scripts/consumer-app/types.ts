// Type-checked by scripts/consumer-test.sh with the repository's TypeScript against the consumer
// project's node_modules: proves the packed .d.ts files of both packages resolve with only
// aws-cdk-lib and constructs (and the verify package's own dependencies) installed. Not executed.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ContainerSpec, EcsPlatform, EcsPlatformProps, IEcsPlatform } from 'cdk-ecs-kit';
import { StackVerifier, VerifyReport } from 'cdk-ecs-kit-verify';

const props: EcsPlatformProps = {
  natGateways: 1,
  ec2Capacity: { instanceType: new ec2.InstanceType('m7g.large'), minCapacity: 1, maxCapacity: 2 },
};
const platform: EcsPlatform = new EcsPlatform(new Stack(new App(), 'TypesStack'), 'Platform', props);
const cluster: ecs.ICluster = platform.cluster;
// A workload takes any IEcsPlatform, this app's or one imported from another app.
const contract: IEcsPlatform = platform;
const spec: ContainerSpec = { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), port: 8080 };

// aws-cdk-lib's Duration is accepted where the verifier takes a duration.
const verifier = new StackVerifier({ stackName: 'TypesStack', wait: Duration.minutes(10), pollInterval: Duration.seconds(15) });
const report: Promise<VerifyReport> = verifier.verify();
const exitCode: Promise<number> = report.then((r) => r.exitCode);

export { cluster, contract, spec, exitCode };
