import type { TErrorBody, TFieldIssue } from '@shegong/shared';

/** An API error as the pages see it: the server's Chinese message, code and field issues. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: TFieldIssue[];

  constructor(status: number, body: Partial<TErrorBody> | undefined) {
    super(body?.error?.message ?? `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = body?.error?.code ?? 'INTERNAL';
    this.issues = body?.error?.issues ?? [];
  }
}

let csrfToken = '';
let onUnauthenticated: () => void = () => {};

export const setCsrfToken = (token: string) => {
  csrfToken = token;
};
export const setUnauthenticatedHandler = (handler: () => void) => {
  onUnauthenticated = handler;
};

/** Calls the JSON API with the session cookie; writes carry the CSRF token. */
export const api = async <T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> => {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = new ApiError(response.status, json as Partial<TErrorBody>);
    if (response.status === 401 && !path.startsWith('/api/auth/login')) onUnauthenticated();
    throw error;
  }
  return json as T;
};

export const apiGet = <T>(path: string) => api<T>('GET', path);
