/**
 * Node ends the process on an unhandled rejection. A stray rejection in a
 * background job (an import's failure handler writing during a database outage)
 * must not take the API down with it: it is logged and the process carries on.
 */
import { Logger } from '@nestjs/common';
import { redactSecrets } from './logging';

/** Class, message and stack with secrets masked; never the error's other fields (an HTTP client's error may carry request headers). */
export function describeRejection(reason: unknown): string {
  if (!(reason instanceof Error)) return `a rejection with a ${typeof reason} value`;
  return redactSecrets(reason.stack ?? `${reason.name}: ${reason.message}`);
}

export function logUnhandledRejections(
  target: NodeJS.EventEmitter = process,
  logger: Pick<Logger, 'error'> = new Logger('Process'),
): void {
  target.on('unhandledRejection', (reason: unknown) => {
    logger.error(`unhandled rejection: ${describeRejection(reason)}`);
  });
}
