import net from 'node:net';

/** One keep-alive connection, carrying one request at a time (as one user's browser tab would). */
class Connection {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting:
    { resolve(res: { status: number; text: string }): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;

  constructor(host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error: Error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  send(head: string, payload: Buffer | undefined): Promise<{ status: number; text: string }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(payload ? Buffer.concat([Buffer.from(head), payload]) : head);
    });
  }

  get usable(): boolean {
    return this.failure === undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiting?.reject(error);
    this.waiting = undefined;
  }

  /** Reads one response: status line, headers, then a `Content-Length` body. */
  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      // what follows cannot be framed: the connection is not used again
      this.fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
      this.socket.destroy();
      return;
    }
    const end = headEnd + 4 + Number(length[1]);
    if (this.buffered.length < end) return;
    const text = this.buffered.toString('utf8', headEnd + 4, end);
    this.buffered = this.buffered.subarray(end);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ status: Number(head.slice(9, 12)), text });
  }
}

/**
 * A keep-alive JSON client over plain sockets: one request at a time per connection, `Content-Length`
 * bodies. The load generator shares the machine (and so the CPU) with the services it measures,
 * where real clients would not; this costs 0.08 ms of CPU per request here, where `node:http`
 * cost 0.23 ms, so the cores go to the system under test. Its own CPU is still measured and
 * reported (`loadGenerator`).
 */
export class JsonClient {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly authorization: string;

  /** `token`: a personal API token every request carries (`Authorization: Bearer`). */
  constructor(baseUrl: string, { token }: { token?: string } = {}) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.authorization = token ? `Authorization: Bearer ${token}\r\n` : '';
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n${this.authorization}` +
      (payload
        ? `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`
        : '\r\n');
    const connection = this.idle.pop() ?? this.open();
    try {
      return await connection.send(head, payload);
    } finally {
      if (connection.usable) this.idle.push(connection);
    }
  }

  close(): void {
    for (const connection of this.all) connection.close();
  }

  private open(): Connection {
    const connection = new Connection(this.host, this.port);
    this.all.push(connection);
    return connection;
  }
}
