import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** A tiny JSON-over-HTTP layer on node:http, shared by the shop, its admin API and the real provider. */

export interface JsonRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export interface JsonResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type JsonHandler = (req: JsonRequest) => JsonResponse | Promise<JsonResponse>;

const MAX_BODY = 64 * 1024;

export const json = (status: number, body?: unknown): JsonResponse => ({ status, body });
export const error = (status: number, message: string): JsonResponse => ({
  status,
  body: { error: message },
});

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'body is not valid JSON');
  }
}

function send(res: ServerResponse, response: JsonResponse, extraHeaders: () => Record<string, string>): void {
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...extraHeaders(),
    ...response.headers,
    ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Turn a JsonHandler into a node:http request listener; `extraHeaders` go on every response. */
export function jsonListener(handler: JsonHandler, extraHeaders: () => Record<string, string> = () => ({})) {
  const listener: RequestListener = (req, res) => {
    void (async () => {
      let response: JsonResponse;
      try {
        const body = await readJson(req);
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        response = await handler({ method: req.method ?? 'GET', path, headers: req.headers, body });
      } catch (err) {
        response =
          err instanceof BodyError
            ? error(err.status, err.message)
            : error(500, `internal error: ${(err as Error).message}`);
        if (!(err instanceof BodyError)) console.error(err);
      }
      if (!res.headersSent) send(res, response, extraHeaders);
    })();
  };
  return listener;
}

/** Read a field of a JSON object body, or undefined. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}
