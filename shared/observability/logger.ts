/** The structured JSON logger (Powertools). Never log tokens, passwords or full invite links. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'gatehouse' });
