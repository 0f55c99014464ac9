/** Where an error happened: a file, a sheet row and column, a field of a form or a pack key. */
export type TErrorWhere = {
  file?: string;
  sheet?: string;
  row?: number;
  column?: string;
  field?: string;
  line?: number;
  key?: string;
};

export type TAppErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LOCKED'
  | 'CSRF_FAILED'
  | 'RATE_LIMITED'
  | 'OVERLOADED'
  | 'CLIENT_CLOSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'DATA_DIR_LOCKED'
  | 'CONFIG_INVALID'
  | 'POLICY_INVALID'
  | 'IMPORT_ROW_INVALID'
  | 'INTERNAL';

const STATUS: Record<TAppErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCKED: 423,
  CSRF_FAILED: 403,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  // nginx's code for a request whose client closed the connection before the answer.
  CLIENT_CLOSED: 499,
  PAYLOAD_TOO_LARGE: 413,
  DATA_DIR_LOCKED: 409,
  CONFIG_INVALID: 500,
  POLICY_INVALID: 422,
  IMPORT_ROW_INVALID: 422,
  INTERNAL: 500,
};

export type TFieldIssue = { field: string; message: string };

/**
 * An error meant for a user: a stable code, a Chinese message and, where it applies, the place.
 * @example throw new AppError('IMPORT_ROW_INVALID', '校验位错误', { where: { row: 17, column: '身份证号' } })
 */
export class AppError extends Error {
  readonly code: TAppErrorCode;
  readonly where: TErrorWhere | undefined;
  readonly issues: TFieldIssue[] | undefined;

  constructor(
    code: TAppErrorCode,
    message: string,
    options: { where?: TErrorWhere; issues?: TFieldIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.where = options.where;
    this.issues = options.issues;
  }

  get status(): number {
    return STATUS[this.code];
  }

  toJSON() {
    return { code: this.code, message: this.message, where: this.where, issues: this.issues };
  }
}

/** The JSON body of every error response of the API. */
export type TErrorBody = {
  error: { code: TAppErrorCode; message: string; where?: TErrorWhere; issues?: TFieldIssue[] };
};
