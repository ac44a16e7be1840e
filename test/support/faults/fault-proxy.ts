import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Test infrastructure, not a fake: a fault-injecting HTTP(S) proxy that sits in front of a real server
 * (kube-apiserver, moto), forwards every request to it unchanged and fails only the requests a test chose,
 * the way the real server or the network would fail them — an HTTP error with the server's own error body
 * (Kubernetes 5xx, 409 Conflict, AWS ThrottlingException, an HTML error page), a request that never gets an
 * answer (a timeout), or the server's real answer with a field changed.
 */
export interface FaultProxy {
  /** `http(s)://127.0.0.1:<port>`: give this to the client instead of the server's URL. */
  readonly url: string;
  /** Fails the next `times` requests that `match`; returns what it saw, for assertions. */
  inject(fault: InjectedFault): FaultCount;
  /** Removes every fault not yet used up. */
  clear(): void;
  stop(): Promise<void>;
}

/** A request as the proxy sees it, for matching. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** What the proxy answers instead of forwarding. */
export type FaultResponse =
  | { readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** No answer at all: the client's own timeout must end the request. */
  | { readonly hang: true }
  /** The server's real JSON answer, changed (a field missing, a counter going backwards). */
  | { readonly corrupt: (body: unknown) => unknown };

export interface InjectedFault {
  readonly match: (request: ProxiedRequest) => boolean;
  readonly response: FaultResponse;
  /** How many matching requests fail before the proxy forwards them again. Default 1. */
  readonly times?: number;
}

export interface FaultCount {
  /** Matching requests failed so far. */
  readonly failed: number;
}

export interface FaultProxyOptions {
  /** The real server, e.g. `https://127.0.0.1:6443` or moto's `http://127.0.0.1:5000`. */
  readonly upstream: string;
  /** PEM files the proxy serves TLS with (the server's own certificate, so clients keep their CA). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** PEM of the CA the upstream's certificate is signed by. */
  readonly upstreamCa?: string;
}

/** A Kubernetes `Status` error body, as the API server sends it. */
export function kubernetesStatus(code: number, reason: string, message: string): FaultResponse {
  return {
    status: code,
    headers: { 'content-type': 'application/json' },
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  };
}

/** An AWS JSON-protocol error (ECS, DynamoDB…), e.g. `ThrottlingException`. */
export function awsJsonError(type: string, message: string, status = 400): FaultResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: { __type: type, message },
  };
}

/** Matches an AWS JSON-protocol action by its `X-Amz-Target` (e.g. `UpdateService`). */
export function awsAction(...actions: readonly string[]): (r: ProxiedRequest) => boolean {
  return (r) => {
    const target = String(r.headers['x-amz-target'] ?? '');
    return actions.some((a) => target.endsWith(`.${a}`));
  };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const faults: { fault: InjectedFault; count: { failed: number } }[] = [];
  const sockets = new Set<Socket>();
  const agent =
    upstream.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, ...(options.upstreamCa ? { ca: options.upstreamCa } : {}) })
      : new http.Agent({ keepAlive: true });

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    const active = faults.find((f) => f.count.failed < (f.fault.times ?? 1) && f.fault.match(seen));
    if (active) {
      active.count.failed += 1;
      const response = active.fault.response;
      if ('corrupt' in response) return forward(req, res, response.corrupt);
      req.resume();
      if ('hang' in response) return; // The socket is closed by the client's timeout or by stop().
      const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    forward(req, res);
  };

  const forward = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    corrupt?: (body: unknown) => unknown,
  ) => {
    const send = upstream.protocol === 'https:' ? https.request : http.request;
    const forwarded = send(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (upstreamRes) => {
        if (!corrupt) {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (c: Buffer) => chunks.push(c));
        upstreamRes.on('end', () => {
          const body = JSON.stringify(corrupt(JSON.parse(Buffer.concat(chunks).toString())));
          const {
            'content-length': _length,
            'transfer-encoding': _encoding,
            ...headers
          } = upstreamRes.headers;
          res.writeHead(upstreamRes.statusCode ?? 502, {
            ...headers,
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        });
      },
    );
    forwarded.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream ${options.upstream} failed: ${err.message}`);
    });
    req.pipe(forwarded);
  };

  const server = options.tls
    ? https.createServer(
        { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
        onRequest,
      )
    : http.createServer(onRequest);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    inject(fault) {
      const count = { failed: 0 };
      faults.push({ fault, count });
      return count;
    },
    clear() {
      faults.length = 0;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
