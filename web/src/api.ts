/**
 * The API client: same-origin fetch with the bearer credential, JSON in and out, and the API's
 * one error shape ({ statusCode, error, message, request_id, field? }) turned into ApiError.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  message?: unknown;
  field?: unknown;
  request_id?: unknown;
}

export type Query = Readonly<Record<string, string | undefined>>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request<T>(
  token: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The findash API cannot be reached. Check your connection and retry.');
  }
  if (response.ok) return (await response.json()) as T;
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not the API's JSON (a proxy's page): the status says enough.
  }
  const message =
    typeof body.message === 'string' ? body.message : `request failed (HTTP ${response.status})`;
  throw new ApiError(
    response.status,
    message,
    typeof body.field === 'string' ? body.field : undefined,
    typeof body.request_id === 'string' ? body.request_id : undefined,
  );
}
