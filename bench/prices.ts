/**
 * Monthly list prices (USD, us-east-1, 730 hours a month) of the parts of an ECS deployment
 * that cost money before any traffic. Traffic-dependent charges (ALB LCUs, NAT data processing,
 * WAF requests, KMS requests, Fargate tasks) are the same for both sides and left out.
 */
export const MONTHLY_PRICES_USD = {
  /** Application Load Balancer: 0.0225 USD per hour. */
  alb: 0.0225 * 730,
  /** NAT gateway: 0.045 USD per hour. */
  natGateway: 0.045 * 730,
  /** Customer-managed KMS key: 1 USD per key per month. */
  kmsKey: 1,
  /** AWS WAF web ACL: 5 USD per month. */
  wafWebAcl: 5,
  /** AWS WAF rule or managed rule group in a web ACL: 1 USD per month. */
  wafRule: 1,
};

export const PRICE_SOURCE = 'AWS public pricing pages for Elastic Load Balancing, Amazon VPC (NAT gateway), AWS KMS and AWS WAF, us-east-1 list prices as published in 2025; this machine is offline, so they were not re-read on the day of the run. Check the pages before budgeting.';
