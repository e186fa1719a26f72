import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, errorBody } from './errors';
import { isProcoreError } from './procore/errors';
import { procoreAppError } from './procore/failure-policy';

/** One error handler: a known error keeps its message, a 5xx says nothing about its cause. */
export function errorHandler(thrown: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  // Procore's messages are written for an admin (procore/errors.ts): show them, not a bland 500.
  const error = isProcoreError(thrown) ? procoreAppError(thrown) : thrown;
  if (error instanceof AppError) {
    if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
    return reply.code(error.statusCode).send(errorBody(error.code, error.message));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const where = first?.instancePath
      ? ` (${first.instancePath.replace(/^\//, '').replaceAll('/', '.')})`
      : '';
    return reply
      .code(400)
      .send(
        errorBody(
          'invalid_input',
          `${error.validationContext ?? 'request'} is invalid${where}: ${first?.message ?? 'bad value'}`,
        ),
      );
  }
  const status = (error as FastifyError).statusCode ?? 500;
  if (status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : 'invalid_input';
    return reply.code(status).send(errorBody(code, error.message));
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send(errorBody('internal', 'Something went wrong on our side. Please try again.'));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`));
}
