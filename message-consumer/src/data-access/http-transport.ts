import http from 'node:http';
import https from 'node:https';

/** An HTTP answer, read whole. */
export interface HttpAnswer {
  status: number;
  text: string;
}

export interface HttpTransport {
  /** PUT a JSON body to `path` with the bearer token. */
  put(path: string, body: string): Promise<HttpAnswer>;
  /** GET `path` (no token: the public health routes). */
  get(path: string): Promise<HttpAnswer>;
  /** Closes the idle keep-alive connections. */
  close(): void;
}

/** The request took longer than its timeout (the whole exchange, not only the connect). */
export class RequestTimeout extends Error {
  constructor() {
    super('request timed out');
    this.name = 'TimeoutError';
  }
}

/**
 * Requests to one backend over node:http with one keep-alive pool: connection setup would
 * otherwise cost more than a status write itself, and `fetch` costs several times more CPU per
 * request.
 */
export function createHttpTransport(baseUrl: string, token: string, timeoutMs: number) {
  const base = new URL(baseUrl);
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  const url = (path: string) => new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);

  function request(method: string, path: string, body?: string): Promise<HttpAnswer> {
    const headers: http.OutgoingHttpHeaders =
      body === undefined
        ? {}
        : {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          };
    return new Promise((resolve, reject) => {
      const req = transport.request(url(path), { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new RequestTimeout()), timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      req.on('error', fail);
      req.end(body);
    });
  }

  return {
    put: (path, body) => request('PUT', path, body),
    get: (path) => request('GET', path),
    close: () => agent.destroy(),
  } satisfies HttpTransport;
}
