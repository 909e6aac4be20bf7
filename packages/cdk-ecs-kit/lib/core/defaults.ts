import * as logs from 'aws-cdk-lib/aws-logs';

/** One year: the audit-trail minimum of PCI DSS 10.7, accepted by all four nag packs. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** The name of the main container of every workload's task definition. */
export const DEFAULT_CONTAINER_NAME = 'app';
