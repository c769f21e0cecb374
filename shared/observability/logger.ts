/** The structured JSON logger (Powertools). Never log tokens, passwords or full invite links. */
import { Logger } from '@aws-lambda-powertools/logger';

/** The `service` of every log line, trace and metric. */
export const SERVICE_NAME = 'gatehouse';

export const logger = new Logger({ serviceName: SERVICE_NAME });
