/**
 * Domain errors carry the HTTP-ish status the API maps them to, so domain code stays free of
 * Fastify yet every failure reaches the client in the one error shape.
 */
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, id: string) {
    super(404, `${resource} ${id} not found`);
  }
}

/** Bad input the schema could not catch (e.g. currency mismatch); names the field. */
export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(400, `${field} ${message}`, { field });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super(409, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(403, message);
  }
}

export class LimitError extends DomainError {
  constructor(message: string) {
    super(429, message);
  }
}
