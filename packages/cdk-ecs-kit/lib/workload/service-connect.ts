import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * TLS between Service Connect proxies, with certificates from AWS Private CA.
 *
 * The certificate authority must carry the tag `AmazonECSManaged=true`; ECS then issues and
 * rotates the certificates of the service's proxies with it. Only for tasks in awsvpc mode.
 */
export interface ServiceConnectTlsOptions {
  /**
   * The ARN of the AWS Private CA certificate authority (tagged `AmazonECSManaged=true`) that
   * issues the service's certificates.
   */
  readonly certificateAuthorityArn: string;

  /**
   * The KMS key ECS encrypts the certificates' private keys with. The TLS role is granted its use.
   *
   * @default - an AWS owned key
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The role ECS assumes to issue certificates, trusted by ecs.amazonaws.com.
   *
   * @default - a new role with the AWS managed policy
   * AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity
   */
  readonly role?: iam.IRole;
}

/**
 * A service's Service Connect endpoint: tasks of other services on the same Service Connect
 * platform reach it at `http://NAME:PORT` through their proxy, with retries, outlier detection,
 * timeouts and per-call metrics.
 */
export interface ServiceConnectOptions {
  /**
   * The short name clients call (the client alias), e.g. 'orders' for http://orders:8080. A DNS
   * label starting with a letter, at most 60 characters.
   *
   * @default - the service's `discoveryName`; one of the two is required
   */
  readonly name?: string;

  /**
   * The port clients call.
   *
   * @default - the container port
   */
  readonly port?: number;

  /**
   * How long the proxy waits for a complete response to one request. HTTP, HTTP/2 and gRPC only
   * (`appProtocol`). Whole seconds; 0 turns the timeout off.
   *
   * @default Duration.seconds(15) - the ECS default
   */
  readonly timeout?: Duration;

  /**
   * How long a connection may stay idle before the proxy closes it. Whole seconds; 0 turns the
   * timeout off.
   *
   * @default - the ECS default: 5 minutes for HTTP, HTTP/2 and gRPC, 1 hour for TCP
   */
  readonly idleTimeout?: Duration;

  /**
   * The application protocol of the container port. With HTTP, HTTP/2 or gRPC the proxy retries
   * failed requests, applies `timeout` and reports per-request metrics; without one it proxies TCP.
   *
   * @default - ecs.AppProtocol.http for a FargateWebService; none (TCP) for an Ec2DaemonService
   */
  readonly appProtocol?: ecs.AppProtocol;

  /**
   * TLS between the clients' proxies and this service's proxies, with AWS Private CA.
   *
   * @default - no TLS: traffic between proxies is plain inside the VPC
   */
  readonly tls?: ServiceConnectTlsOptions;
}
