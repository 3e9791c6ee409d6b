// The helpers behind `npm start`, `npm test` and `npm run setup` that need no service to check.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumProblem } from '@retro/common/testing/browser';
import { skipWhenMissing } from '@retro/common/testing';
import { expect } from 'chai';
// @ts-expect-error -- plain JavaScript modules of the scripts, without type declarations
import { readEnvFile, setEnvValues } from '../../scripts/lib/env-file.mjs';
// @ts-expect-error -- as above
import { nodeVersionProblem } from '../../scripts/lib/node-version.mjs';
// @ts-expect-error -- as above
import { describePlan, planMachine } from '../../scripts/lib/machine-plan.mjs';
// @ts-expect-error -- as above
import { findChromium, nodeModulesCurrent } from '../../scripts/lib/machine-facts.mjs';

interface Plan {
  install: string[];
  root: string[];
  user: string[];
  skips: string[];
  notes: string[];
  problem?: string;
}
const plan = planMachine as (goal: 'system' | 'tests', facts: object) => Plan;
const describe_ = describePlan as (plan: Plan, facts: object) => string[];

/** A fresh Debian 12 with Node, as a user with sudo, in a container (no systemd). */
const FRESH = {
  root: false,
  sudo: true,
  systemd: false,
  apt: true,
  distro: 'debian',
  installed: [],
  mariadbUp: false,
  rabbitUp: false,
  management: false,
  chromium: undefined,
  chromiumSnap: false,
  nodeModules: false,
  ci: false,
};
const READY = {
  ...FRESH,
  installed: ['mariadb-server', 'rabbitmq-server', 'chromium', 'nginx'],
  mariadbUp: true,
  rabbitUp: true,
  management: true,
  chromium: '/usr/bin/chromium',
  nodeModules: true,
};

describe('newcomer scripts', () => {
  it('when Node is older than engines.node, then the check names the version, the need and the fix', () => {
    const problem = nodeVersionProblem('18.19.1', '>=20.19') as string;
    expect(problem).to.match(/^Node\.js 18\.19\.1 is too old: this project needs >=20\.19\. Fix: /);
    expect(nodeVersionProblem('20.18.3', '>=20.19')).to.be.a('string');
    expect(nodeVersionProblem('20.19.0', '>=20.19')).to.equal(undefined);
    expect(nodeVersionProblem('22.1.0', '>=20.19')).to.equal(undefined);
    expect(nodeVersionProblem(process.versions.node)).to.equal(undefined);
  });

  it('when setup writes the account to .env, then comments and other values stay as they were', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'env-')), '.env');
    writeFileSync(file, '# mine\nDB_HOST=db.local\nDB_USER=root\nDB_PASSWORD=\nLOG_LEVEL=debug');
    setEnvValues(file, { DB_USER: 'retro', DB_PASSWORD: 'abc123' });
    expect(readFileSync(file, 'utf8')).to.equal(
      '# mine\nDB_HOST=db.local\nDB_USER=retro\nDB_PASSWORD=abc123\nLOG_LEVEL=debug',
    );
    setEnvValues(file, { DB_NAME: 'catalog' });
    expect(readEnvFile(file)).to.deep.equal({
      DB_HOST: 'db.local',
      DB_USER: 'retro',
      DB_PASSWORD: 'abc123',
      LOG_LEVEL: 'debug',
      DB_NAME: 'catalog',
    });
    expect(readEnvFile(join(tmpdir(), 'no-such-dir-x', '.env'))).to.deep.equal({});
  });

  describe('what ./run-system and ./run-tests set up', () => {
    it('when a fresh Debian without systemd has nothing, then one apt-get installs all, the services start directly, npm ci runs', () => {
      const tests = plan('tests', FRESH);
      expect(tests.problem).to.equal(undefined);
      expect(tests.install).to.deep.equal([
        'mariadb-server',
        'rabbitmq-server',
        'chromium',
        'nginx',
      ]);
      expect(tests.root.filter((c) => c.includes('apt-get install'))).to.have.length(1);
      expect(tests.root).to.include('rabbitmq-plugins -q enable --offline rabbitmq_management');
      expect(tests.root.join('\n')).to.include(
        'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
      );
      expect(tests.root).to.include('rabbitmq-server -detached');
      expect(tests.root.join('\n')).not.to.include('systemctl');
      expect(tests.user).to.deep.equal(['npm ci']);
      expect(tests.skips).to.deep.equal([]);
      expect(plan('system', FRESH).install).to.deep.equal(['mariadb-server', 'rabbitmq-server']);
      const said = describe_(tests, FRESH).join('\n');
      expect(said).to.include(
        'installs mariadb-server, rabbitmq-server, chromium, nginx with apt-get (sudo asks for your password)',
      );
      expect(said).to.include('starts MariaDB (no systemd here: directly)');
      expect(said).to.include('`npm ci`');
    });

    it('when PID 1 is systemd, then the services are enabled and started by it, and the nginx just installed is not left starting at boot', () => {
      const root = plan('tests', { ...FRESH, systemd: true }).root;
      expect(root).to.include('systemctl enable -q --now mariadb');
      expect(root).to.include('systemctl enable -q --now rabbitmq-server');
      expect(root).to.include('systemctl disable -q nginx || true');
      expect(root.join('\n')).not.to.include('start-stop-daemon');
    });

    it('when everything is in place, then nothing is done and nothing is said but that', () => {
      for (const goal of ['system', 'tests'] as const) {
        const ready = plan(goal, READY);
        expect(ready).to.deep.equal({
          install: [],
          root: [],
          user: [],
          skips: [],
          notes: [],
          problem: undefined,
        });
        expect(describe_(ready, READY)).to.deep.equal([]);
      }
    });

    it('when only the services are down or the plugin is off, then only those root steps run, and a broker it did not install is not reconfigured', () => {
      const down = plan('system', { ...READY, mariadbUp: false, management: false });
      expect(down.install).to.deep.equal([]);
      expect(down.root).to.deep.equal([
        'install -d -o mysql -g mysql /run/mysqld && start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql',
      ]);
      expect(down.notes).to.have.length(1);
      expect(describe_(down, READY).at(-1)).to.match(
        /^note: RabbitMQ's management plugin is off.*Fix: `sudo rabbitmq-plugins enable rabbitmq_management`/,
      );
      expect(plan('system', { ...READY, nodeModules: false }).user).to.deep.equal(['npm ci']);
    });

    it('when the machine is Ubuntu, then its snap chromium is not installed and the browser tests are skipped with the reason, except under CI', () => {
      const ubuntu = { ...FRESH, distro: 'ubuntu' };
      const tests = plan('tests', ubuntu);
      expect(tests.install).to.deep.equal(['mariadb-server', 'rabbitmq-server', 'nginx']);
      expect(tests.skips).to.have.length(1);
      expect(tests.skips[0]).to.match(
        /^browser tests: Ubuntu's chromium is a snap .* Fix: set CHROMIUM_PATH/,
      );
      expect(describe_(tests, ubuntu).join('\n')).to.include(
        "skips browser tests: Ubuntu's chromium",
      );
      expect(plan('tests', { ...ubuntu, chromium: '/opt/chrome/chrome' }).skips).to.deep.equal([]);
      expect(
        plan('tests', {
          ...ubuntu,
          installed: ['chromium'],
          chromium: '/usr/bin/chromium',
          chromiumSnap: true,
        }).skips,
      ).to.have.length(1);
      const ci = plan('tests', { ...ubuntu, ci: true });
      expect(ci.problem).to.match(
        /^CI=true and browser tests: .* so they would be skipped\. Fix: set CHROMIUM_PATH/,
      );
      expect(ci.root).to.deep.equal([]);
    });

    it('when a user has no sudo, or there is no apt-get, then the one line says what is missing and the fix', () => {
      const noSudo = plan('system', { ...FRESH, sudo: false });
      expect(noSudo.problem).to.equal(
        'mariadb-server, rabbitmq-server must be installed and this user has no sudo. Fix: as root, `apt-get install -y mariadb-server rabbitmq-server`, then run this again',
      );
      expect(plan('system', { ...FRESH, sudo: false, root: true }).problem).to.equal(undefined);
      expect(plan('system', { ...FRESH, apt: false }).problem).to.match(
        /^mariadb-server and rabbitmq-server missing and this system has no apt-get\. Fix: /,
      );
      const noApt = plan('tests', {
        ...READY,
        apt: false,
        installed: ['mariadb-server', 'rabbitmq-server'],
        chromium: undefined,
      });
      expect(noApt.problem).to.equal(undefined);
      expect(noApt.install).to.deep.equal([]);
      expect(noApt.skips.map((s) => s.split(':')[0])).to.deep.equal([
        'browser tests',
        'nginx tests',
      ]);
    });

    it('when node_modules is missing or older than package-lock.json, then npm ci is due', () => {
      const dir = mkdtempSync(join(tmpdir(), 'modules-'));
      writeFileSync(join(dir, 'package-lock.json'), '{}');
      expect(nodeModulesCurrent(dir)).to.equal(false);
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}');
      utimesSync(join(dir, 'node_modules', '.package-lock.json'), new Date(1000), new Date(1000));
      expect(nodeModulesCurrent(dir)).to.equal(false);
      utimesSync(join(dir, 'node_modules', '.package-lock.json'), new Date(), new Date());
      utimesSync(join(dir, 'package-lock.json'), new Date(2000), new Date(2000));
      expect(nodeModulesCurrent(dir)).to.equal(true);
    });

    it("when CHROMIUM_PATH names nothing or Ubuntu's snap wrapper, then that is the reason given", () => {
      const dir = mkdtempSync(join(tmpdir(), 'chromium-'));
      const wrapper = join(dir, 'chromium');
      writeFileSync(wrapper, '#!/bin/sh\nexec /snap/bin/chromium "$@"\n');
      expect(findChromium({ CHROMIUM_PATH: wrapper })).to.deep.equal({
        chromium: wrapper,
        chromiumSnap: true,
      });
      expect(findChromium({ CHROMIUM_PATH: join(dir, 'none') })).to.deep.equal({
        chromium: undefined,
        chromiumSnap: false,
      });
      expect(chromiumProblem(join(dir, 'none'))).to.match(
        /^browser tests: no Chromium at .* Fix: `sudo apt-get install chromium`/,
      );
      expect(chromiumProblem(wrapper)).to.match(/snap wrapper\. Fix: set CHROMIUM_PATH/);
      expect(chromiumProblem(process.execPath)).to.equal(undefined);
    });

    it('when a test needs a program that is missing, then it is skipped saying why, or fails under CI=true', () => {
      const ci = process.env.CI;
      const said: string[] = [];
      const log = console.log;
      let skips = 0;
      const context = { skip: () => (skips += 1) };
      try {
        delete process.env.CI;
        console.log = (line: string) => said.push(line);
        skipWhenMissing(context, undefined);
        skipWhenMissing(context, 'nginx tests: no nginx. Fix: install it');
        skipWhenMissing(context, 'nginx tests: no nginx. Fix: install it');
        expect(skips).to.equal(2);
        expect(said).to.deep.equal(['SKIPPED: nginx tests: no nginx. Fix: install it']);
        process.env.CI = 'true';
        expect(() => skipWhenMissing(context, 'browser tests: none')).to.throw(
          'browser tests: none (CI=true: not skipped)',
        );
      } finally {
        console.log = log;
        if (ci === undefined) delete process.env.CI;
        else process.env.CI = ci;
      }
    });

    it('when ./run-tests --dry-run finds no Chromium, then it says it will skip the browser tests and changes nothing', function () {
      this.timeout(30_000);
      const run = spawnSync('./run-tests', ['--dry-run'], {
        encoding: 'utf8',
        env: { ...process.env, CI: '', CHROMIUM_PATH: '/nonexistent/chromium' },
      });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.include(
        '[run-tests]   - skips browser tests: no Chromium at CHROMIUM_PATH',
      );
      const ci = spawnSync('./run-tests', ['--dry-run'], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', CHROMIUM_PATH: '/nonexistent/chromium' },
      });
      expect(ci.status).to.equal(1);
      expect(ci.stderr.trim().split('\n')).to.have.length(1);
      expect(ci.stderr).to.match(/^\[run-tests\] FAILED: CI=true and browser tests: .* Fix: /);
    });

    it('when root started it through sudo, then it refuses, since the work tree would get root-owned files', function () {
      if (process.getuid?.() !== 0) this.skip(); // only root can be root through sudo
      const run = spawnSync(process.execPath, ['scripts/prepare.mjs', 'system', '--dry-run'], {
        encoding: 'utf8',
        env: { ...process.env, CI: '', SUDO_UID: '1000' },
      });
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        '[run-system] FAILED: started through sudo: the build and the tests would leave files that belong to root. Fix: run `./run-system` as yourself; it uses sudo itself for the steps that need root',
      );
    });
  });
});
