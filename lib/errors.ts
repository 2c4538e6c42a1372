/**
 * Error codes shared by server and client. A code is `<kind>:<subject>`; the kind alone decides
 * the HTTP status, in one place (`statusForCode`).
 */

export const ERROR_KINDS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  too_many: 429,
  internal: 500,
  /** The database is locked by another process past the busy timeout. */
  unavailable: 503,
  /** The disk of the server's data folder is full. */
  insufficient_storage: 507,
} as const;
export type ErrorKind = keyof typeof ERROR_KINDS;
export type ErrorCode = `${ErrorKind}:${string}` | ErrorKind;

export type { ApiErrorBody } from "./schemas/common";

export function statusForCode(code: string): number {
  const kind = code.split(":")[0] as ErrorKind;
  return ERROR_KINDS[kind] ?? 500;
}

/** An expected failure: bad input, a missing thing, a refused action. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return statusForCode(this.code);
  }
}

export const notFound = (subject: string, id: unknown) => new AppError(`not_found:${subject}`, `No ${subject} with id ${String(id)}.`);
export const conflict = (subject: string, message: string, details?: unknown) => new AppError(`conflict:${subject}`, message, details);
export const unprocessable = (subject: string, message: string, details?: unknown) =>
  new AppError(`unprocessable:${subject}`, message, details);
export const badRequest = (subject: string, message: string, details?: unknown) => new AppError(`bad_request:${subject}`, message, details);
export const tooLarge = (subject: string, message: string) => new AppError(`too_large:${subject}`, message);
export const tooMany = (subject: string, message: string) => new AppError(`too_many:${subject}`, message);
