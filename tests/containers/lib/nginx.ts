// Runs frontend/nginx.conf with this machine's nginx: the container's paths and the backend's
// address are swapped for a temp folder, a free local port and a stub backend.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWhenMissing, waitFor } from '@retro/common/testing';

const NGINX_PATHS = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];

/** Why the nginx tests cannot run here, or undefined when nginx is installed. */
export function nginxProblem(): string | undefined {
  return NGINX_PATHS.some((p) => existsSync(p))
    ? undefined
    : 'nginx tests: no nginx. Fix: `sudo apt-get install nginx` (Debian)';
}

/** Skips the calling suite or test, saying why, without nginx (fails instead under CI=true). */
export function requireNginx(context: { skip(): void }): void {
  skipWhenMissing(context, nginxProblem());
}

export function nginxBinary(): string {
  const found = NGINX_PATHS.find((p) => existsSync(p));
  if (!found) throw new Error('nginx is not installed (Debian: apt-get install nginx)');
  return found;
}

export interface LocalSettings {
  port: number;
  backendPort: number;
  htmlDir: string;
  prefix: string;
  /** Replaces the 60 s read timeout of ordinary API calls (e.g. `1s`). */
  apiReadTimeout: string;
}

/** The container config with local paths and ports; fails loudly if an anchor is gone. */
export function localConfig(config: string, s: LocalSettings): string {
  const swaps: [RegExp, string][] = [
    [/^(\s*)listen 8080;/m, `$1listen 127.0.0.1:${s.port};`],
    [/http:\/\/backend:3000/g, `http://127.0.0.1:${s.backendPort}`],
    // before the html folder goes in: that folder may itself live under /tmp/
    [/\/tmp\//g, `${s.prefix}/`],
    [/\/usr\/share\/nginx\/html/g, s.htmlDir],
    // A short read timeout for ordinary API calls, so a test can outlast it.
    [/^(\s*)proxy_read_timeout 60s;/m, `$1proxy_read_timeout ${s.apiReadTimeout};`],
    // Node gives a child sockets, not pipes, for its output: /dev/stdout cannot be opened.
    [/access_log \/dev\/stdout/, `access_log ${s.prefix}/access.log`],
  ];
  let out = config;
  for (const [pattern, replacement] of swaps) {
    if (!pattern.test(out)) throw new Error(`frontend/nginx.conf no longer contains ${pattern}`);
    out = out.replace(pattern, replacement);
  }
  // As root, nginx would hand the workers to a user that cannot read a private temp folder.
  if (process.getuid?.() === 0) out = `user root;\n${out}`;
  return out;
}

export class LocalNginx {
  private child: ChildProcess | undefined;
  output = '';
  readonly prefix = mkdtempSync(join(tmpdir(), 'retro-nginx-'));
  readonly confPath = join(this.prefix, 'nginx.conf');

  constructor(readonly port: number) {}

  write(config: string): void {
    writeFileSync(this.confPath, config);
  }

  /** `nginx -t`: exit code and what it printed. */
  test(): { status: number | null; output: string } {
    const result = spawnSync(nginxBinary(), ['-t', '-p', this.prefix, '-c', this.confPath], {
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  async start(): Promise<void> {
    const child = spawn(
      nginxBinary(),
      ['-p', this.prefix, '-c', this.confPath, '-g', 'daemon off;'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout.on('data', (d) => (this.output += d));
    child.stderr.on('data', (d) => (this.output += d));
    await waitFor(
      'nginx to answer /healthz',
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${this.output}`);
        const res = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        return res.ok;
      },
      { timeoutMs: 10_000 },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT'); // graceful: finish open requests, then exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.prefix, { recursive: true, force: true });
  }
}
