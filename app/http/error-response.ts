import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { CONNECTION_ERROR_CODES, nativeDatabaseError } from '../db/connection-errors.js';
import { DomainError } from '../domain/errors.js';

/**
 * One error shape everywhere: { statusCode, error, message, request_id, field? }. Schema
 * failures name the field; dependency failures are 503; anything unexpected is a 500 without
 * internals (logged with the request id, and reported by the sentry plugin when enabled).
 */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  request_id: string;
  field?: string;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

interface Classified {
  statusCode: number;
  message: string;
  field?: string;
  headers?: Record<string, string>;
}

const PG_UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08006',
  '57014',
]);
function fieldOf(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const params = first.params;
  const extra =
    (typeof params.missingProperty === 'string' && params.missingProperty) ||
    (typeof params.additionalProperty === 'string' && params.additionalProperty) ||
    '';
  const pathPart = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  return [pathPart, extra].filter(Boolean).join('.') || undefined;
}

/**
 * What the value should have been. A value that matches no branch of an anyOf (e.g. a from/to,
 * a day or a date-time) fails every branch: quoting only the first would name one form as if it
 * were the only one, so every branch's rule is named.
 */
function detailOf(error: FastifyError): string {
  const errors = error.validation ?? [];
  const first = errors[0];
  if (!first) return 'is invalid';
  const anyOf = first.schemaPath.match(/^(.*\/anyOf)\/\d+\//)?.[1];
  if (!anyOf) return first.message ?? 'is invalid';
  const branches = errors.filter(
    (e) => e.instancePath === first.instancePath && e.schemaPath.startsWith(`${anyOf}/`),
  );
  return [...new Set(branches.map((e) => e.message ?? 'is invalid'))].join(' or ');
}

export function classifyError(error: unknown): Classified {
  if (error instanceof DomainError) {
    const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
    const retryAfter = error.details?.retryAfter;
    return {
      statusCode: error.statusCode,
      message: error.message,
      ...(field ? { field } : {}),
      ...(typeof retryAfter === 'number' ? { headers: { 'retry-after': String(retryAfter) } } : {}),
    };
  }
  const e = nativeDatabaseError(error) as FastifyError & { code?: string; name?: string };
  if (e.validation) {
    const field = fieldOf(e);
    const where = e.validationContext ?? 'request';
    const detail = detailOf(e);
    const params = e.validation[0]?.params;
    const message =
      typeof params?.additionalProperty === 'string'
        ? `${where}.${field ?? ''} is not an allowed field`
        : `${where}${field ? `.${field}` : ''} ${detail}`;
    return { statusCode: 400, message, ...(field ? { field } : {}) };
  }
  if (
    e.name === 'KnexTimeoutError' ||
    (e.code && (PG_UNAVAILABLE.has(e.code) || CONNECTION_ERROR_CODES.has(e.code)))
  ) {
    return {
      statusCode: 503,
      message: 'the database is unavailable; retry shortly',
      headers: { 'retry-after': '5' },
    };
  }
  if (e.code === '23505') return { statusCode: 409, message: 'a conflicting record already exists' };
  if (e.code === '22003') return { statusCode: 400, message: 'a number is out of range' };
  // Check violation, bad text representation, bad date/time or time zone, NUL or unencodable characters.
  if (['23514', '22P02', '22007', '22008', '22009', '22021', '22P05'].includes(e.code)) {
    return { statusCode: 400, message: 'a value is not valid for its field' };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { statusCode: e.statusCode, message: e.message };
  }
  return { statusCode: 500, message: 'internal error; quote the request id when reporting it' };
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  classified: Classified,
): FastifyReply {
  const body: ErrorBody = {
    statusCode: classified.statusCode,
    error: STATUS_TEXT[classified.statusCode] ?? 'Error',
    message: classified.message,
    request_id: request.id,
    ...(classified.field ? { field: classified.field } : {}),
  };
  if (classified.headers) void reply.headers(classified.headers);
  return reply.code(classified.statusCode).send(body);
}
