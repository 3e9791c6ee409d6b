// Static checks of every Dockerfile (no Docker engine needed): what they copy exists in the
// build context, dependencies come from the lockfile, the images run as the npm scripts do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { finalWorkdir, healthcheckCommand, lastInstruction } from './lib/dockerfile.js';
import {
  type BuildContext,
  copyProblems,
  installProblems,
  nodeServiceProblems,
  runtimeProblems,
  scriptProblems,
} from './lib/dockerfile-checks.js';
import { ROOT, dockerignore, exists, readDockerfile, readText, workspaces } from './lib/repo.js';

const NODE_SERVICES = ['backend', 'message-consumer', 'message-producer'];
const ALL = [...NODE_SERVICES, 'frontend', 'database'].map((dir) => `${dir}/Dockerfile`);

describe('Dockerfiles', () => {
  const ctx: BuildContext = { exists, ignored: dockerignore(), workspaces: workspaces() };

  it('exist for every service', () => {
    expect(ALL.filter((path) => !exists(path))).to.deep.equal([]);
  });

  for (const path of ALL) {
    describe(path, () => {
      it('copies only files that exist in the build context and survive .dockerignore', () => {
        expect(copyProblems(readDockerfile(path), ctx)).to.deep.equal([]);
      });

      it('runs only npm scripts and tsconfig paths that exist', () => {
        expect(scriptProblems(readDockerfile(path), ctx)).to.deep.equal([]);
      });

      it('installs with npm ci from the lockfile, without dev dependencies in the final stage', () => {
        expect(installProblems(readDockerfile(path))).to.deep.equal([]);
      });
    });
  }

  for (const dir of NODE_SERVICES) {
    describe(`${dir}/Dockerfile (Node service)`, () => {
      it('builds in one stage and runs `npm start`’s command, as a non-root user, in a slim final stage', () => {
        const df = readDockerfile(`${dir}/Dockerfile`);
        expect([...nodeServiceProblems(df, dir, ctx), ...runtimeProblems(df)]).to.deep.equal([]);
      });

      it('checks health over HTTP on the port it exposes, with node (slim images have no curl)', () => {
        const final = readDockerfile(`${dir}/Dockerfile`).stages.at(-1)!;
        const exposed = lastInstruction(final, 'EXPOSE')?.args[0];
        const command = healthcheckCommand(final) ?? [];
        expect(command.slice(0, 2)).to.deep.equal(['node', '-e']);
        expect(command[2]).to.match(/\/health'/);
        expect(command[2]).to.include(`|| ${exposed})`);
      });
    });
  }

  describe('what each Node service image installs (`npm ci --omit=dev --workspace=…`)', () => {
    /** Every package a workspace's production install brings, from the lockfile. */
    function runtimeClosure(workspace: string): Set<string> {
      const lock = JSON.parse(readText('package-lock.json')) as {
        packages: Record<string, { name?: string; dependencies?: Record<string, string> }>;
      };
      const workspaceDirs = new Map(
        Object.entries(lock.packages)
          .filter(([key, entry]) => !key.includes('node_modules') && entry.name)
          .map(([key, entry]) => [entry.name!, key]),
      );
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const entry = lock.packages[workspaceDirs.get(name) ?? `node_modules/${name}`];
        for (const dep of Object.keys(entry?.dependencies ?? {})) visit(dep);
      };
      for (const dep of Object.keys(lock.packages[workspace]?.dependencies ?? {})) visit(dep);
      return seen;
    }

    it('the consumer carries no Swagger UI (it serves no API reference); backend and producer do', () => {
      expect(runtimeClosure('message-consumer').has('swagger-ui-dist')).to.equal(false);
      expect(runtimeClosure('message-consumer').has('@retro/common')).to.equal(true);
      expect(runtimeClosure('backend').has('swagger-ui-dist')).to.equal(true);
      expect(runtimeClosure('message-producer').has('swagger-ui-dist')).to.equal(true);
    });
  });

  describe('frontend/Dockerfile', () => {
    const df = () => readDockerfile('frontend/Dockerfile');

    it('builds with the frontend’s build script and serves dist/ with unprivileged nginx', () => {
      const [build, final] = [df().stages[0]!, df().stages.at(-1)!];
      expect(build.instructions.map((i) => i.args.join(' '))).to.include(
        'npm run build -w @retro/frontend',
      );
      expect(final.base).to.match(/^nginxinc\/nginx-unprivileged:/);
      expect(runtimeProblems(df())).to.deep.equal([]);
      const copies = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
      expect(copies).to.deep.include(['frontend/nginx.conf', '/etc/nginx/nginx.conf']);
      expect(copies).to.deep.include(['/app/frontend/dist', '/usr/share/nginx/html']);
    });

    it('checks health on the port nginx listens on', () => {
      const final = df().stages.at(-1)!;
      const listen = /^\s*listen\s+(\d+)/m.exec(readText('frontend/nginx.conf'))?.[1];
      expect(lastInstruction(final, 'EXPOSE')?.args[0]).to.equal(listen);
      expect(healthcheckCommand(final)?.join(' ')).to.match(
        new RegExp(`127\\.0\\.0\\.1:${listen}/health$`),
      );
    });
  });

  describe('database/Dockerfile', () => {
    it('is MariaDB 10.11 with utf8mb4 server settings in a conf.d file MariaDB will read', () => {
      const df = readDockerfile('database/Dockerfile');
      const final = df.stages.at(-1)!;
      expect(final.base).to.equal('mariadb:10.11');
      const copy = lastInstruction(final, 'COPY')!;
      // the image's documented place for extra settings, read after its own
      expect(copy.args).to.deep.equal(['database/my.cnf', '/etc/mysql/conf.d/retro.cnf']);
      // MariaDB, like MySQL, skips option files that anyone may write to.
      expect(copy.flags.chmod).to.equal('0644');
      const cnf = readFileSync(join(ROOT, 'database/my.cnf'), 'utf8');
      expect(cnf).to.match(/^\[mysqld\]$/m);
      expect(cnf).to.match(/^character-set-server\s*=\s*utf8mb4$/m);
      expect(cnf).to.match(/^collation-server\s*=\s*utf8mb4_unicode_ci$/m);
      // the migrations create triggers as the application's user (no SUPER), binary log on
      expect(cnf).to.match(/^log_bin_trust_function_creators\s*=\s*1$/m);
    });

    it('turns healthy only when mariadbd accepts TCP connections with InnoDB ready, and never runs as root by USER', () => {
      const final = readDockerfile('database/Dockerfile').stages.at(-1)!;
      // the image's own script; --connect goes over TCP, which the init server does not open
      expect(healthcheckCommand(final)).to.deep.equal([
        'healthcheck.sh',
        '--connect',
        '--innodb_initialized',
      ]);
      // The official entrypoint switches to the mysql user itself; a USER root would stop that.
      expect(lastInstruction(final, 'USER')?.args[0] ?? 'entrypoint').not.to.match(/^(root|0)$/);
    });
  });

  it('leave secrets, dependencies and build output out of every build context', () => {
    const ignored = dockerignore();
    for (const path of ['.env', 'node_modules', 'backend/node_modules', 'common/dist', '.git']) {
      expect(ignored(path), path).to.equal(true);
    }
    expect(ignored('.env.example')).to.equal(false);
    expect(finalWorkdir(readDockerfile('backend/Dockerfile').stages.at(-1)!)).to.equal(
      '/app/backend',
    );
  });
});
