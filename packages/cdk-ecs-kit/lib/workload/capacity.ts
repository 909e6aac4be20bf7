import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Dependable, IConstruct } from 'constructs';

/**
 * Makes `dependent` (an ECS service on a capacity provider strategy) depend on the cluster's
 * AWS::ECS::ClusterCapacityProviderAssociations. Without it CloudFormation may create the
 * service before FARGATE/FARGATE_SPOT are associated with the cluster (the create fails), and
 * delete the association while the service still uses it ("The capacity provider ... is in use").
 *
 * aws-cdk-lib creates the association in an aspect at synth time, so the dependency is resolved
 * lazily. A cluster in another stack needs nothing: the service's stack already depends on the
 * cluster's stack, association included. An imported cluster is another app's to order.
 */
export function dependOnCapacityProviderAssociation(dependent: IConstruct, cluster: ecs.ICluster): void {
  if (!(cluster instanceof ecs.Cluster)) return;
  const association: object = {};
  Dependable.implement(association, {
    get dependencyRoots() {
      return cluster.node.children.filter((child) => child instanceof ecs.CfnClusterCapacityProviderAssociations);
    },
  });
  dependent.node.addDependency(association as unknown as IConstruct);
}
