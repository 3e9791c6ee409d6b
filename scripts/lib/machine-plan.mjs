// What `./run-system` and `./run-tests` must do to this machine before they run anything: from
// what was found (the facts, gathered by machine-facts.mjs) to a plan of steps. Pure, so that the
// decisions (what is missing → what is done, and what is skipped and why) are tested without
// touching the machine.

/** Debian packages each goal needs; the browser and nginx tests are the only users of the last two. */
export const PACKAGES = {
  system: ['mariadb-server', 'rabbitmq-server'],
  tests: ['mariadb-server', 'rabbitmq-server', 'chromium', 'nginx'],
};

/** Packages whose absence only skips some tests (outside CI) instead of stopping everything. */
const OPTIONAL = new Set(['chromium', 'nginx']);

/**
 * @typedef {object} Facts
 * @property {boolean} root           running as uid 0
 * @property {boolean} sudo           a `sudo` command exists
 * @property {boolean} systemd        PID 1 is systemd (else services are started directly)
 * @property {boolean} apt            apt-get exists (Debian, Ubuntu and their kin)
 * @property {string} distro          /etc/os-release ID (`debian`, `ubuntu`, …)
 * @property {string[]} installed     the wanted Debian packages that are installed
 * @property {boolean} mariadbUp      something answers at DB_HOST:DB_PORT
 * @property {boolean} rabbitUp       something answers at RabbitMQ's port
 * @property {boolean} management     the management plugin is enabled
 * @property {string|undefined} chromium  the browser found (CHROMIUM_PATH or Debian's), if any
 * @property {boolean} chromiumSnap   the browser found is Ubuntu's snap wrapper
 * @property {boolean} nodeModules    node_modules exists and is newer than package-lock.json
 * @property {boolean} ci             CI=true
 */

/**
 * The plan for `goal` ('system' or 'tests') on a machine described by `facts`.
 * `install`: packages for the one `apt-get install`; `root`: shell commands run as root in one go
 * (with `sudo` unless already root); `user`: steps run as the user; `skips`: reasons tests will be
 * skipped; `notes`: advice on what it leaves alone; `problem`: when set, nothing can be done and
 * this one line says what and the fix.
 */
export function planMachine(goal, facts) {
  const skips = [];
  let missing = PACKAGES[goal].filter((p) => !facts.installed.includes(p));

  const goodChromium = Boolean(facts.chromium) && !facts.chromiumSnap;
  // A Chromium already there (CHROMIUM_PATH, or one installed some other way) is used as it is;
  // Ubuntu's `chromium` package only installs the snap, which a headless test cannot drive.
  if (goodChromium) missing = missing.filter((p) => p !== 'chromium');
  else if (goal === 'tests' && (facts.chromiumSnap || facts.distro === 'ubuntu')) {
    missing = missing.filter((p) => p !== 'chromium');
    skips.push(SNAP);
  }

  if (missing.length > 0 && !facts.apt) {
    const required = missing.filter((p) => !OPTIONAL.has(p));
    if (required.length > 0)
      return fail(
        `${required.join(' and ')} missing and this system has no apt-get. Fix: install MariaDB ≥ 10.6 and RabbitMQ ≥ 3.10 your system's way, start them, then run this again`,
      );
    missing = [];
  }
  if (missing.length > 0 && !facts.root && !facts.sudo) {
    return fail(
      `${missing.join(', ')} must be installed and this user has no sudo. Fix: as root, \`apt-get install -y ${missing.join(' ')}\`, then run this again`,
    );
  }
  if (goal === 'tests') {
    if (!goodChromium && !missing.includes('chromium') && !skips.includes(SNAP))
      skips.push(NO_CHROMIUM);
    if (!facts.installed.includes('nginx') && !missing.includes('nginx')) skips.push(NO_NGINX);
  }

  const root = [];
  if (missing.length > 0) {
    // Debian starts a service as its package installs; nginx would then take port 80 (or fail
    // the install when a web server has it). The services are started below, on our terms.
    root.push(
      'export DEBIAN_FRONTEND=noninteractive',
      'no_start=; if [ ! -e /usr/sbin/policy-rc.d ]; then printf "#!/bin/sh\\nexit 101\\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && no_start=1; fi',
      `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing.join(' ')}; status=$?`,
      '[ -z "$no_start" ] || rm -f /usr/sbin/policy-rc.d',
      '[ "$status" = 0 ] || exit "$status"',
    );
    // the tests run nginx themselves; a web server on port 80 at every boot is nobody's wish
    if (missing.includes('nginx') && facts.systemd) root.push('systemctl disable -q nginx || true');
  }

  const has = (p) => facts.installed.includes(p) || missing.includes(p);
  const rabbitRunning = facts.rabbitUp && !missing.includes('rabbitmq-server');
  const notes = [];
  // A broker this run installs gets the management plugin (the pages link to its UI); one that
  // was here already is someone's configuration: it is only told what to do.
  if (missing.includes('rabbitmq-server')) {
    root.push('rabbitmq-plugins -q enable --offline rabbitmq_management');
  } else if (has('rabbitmq-server') && !facts.management) {
    notes.push(MANAGEMENT_OFF);
  }
  if (has('mariadb-server') && !facts.mariadbUp) {
    root.push(
      facts.systemd
        ? 'systemctl enable -q --now mariadb'
        : 'install -d -o mysql -g mysql /run/mysqld && start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql',
    );
  }
  if (has('rabbitmq-server') && !rabbitRunning) {
    root.push(
      facts.systemd ? 'systemctl enable -q --now rabbitmq-server' : 'rabbitmq-server -detached',
    );
  }

  // Whether the database account works is known only once MariaDB answers: checked then.
  const user = facts.nodeModules ? [] : ['npm ci'];
  if (facts.ci && skips.length > 0)
    return fail(`CI=true and ${skips[0].replace('. Fix:', ', so they would be skipped. Fix:')}`);
  return { install: missing, root, user, skips, notes, problem: undefined };
}

const SNAP =
  "browser tests: Ubuntu's chromium is a snap that Playwright cannot start. Fix: set CHROMIUM_PATH to a Chromium or Chrome binary (docs/troubleshooting.md)";
const NO_CHROMIUM =
  'browser tests: no Chromium at CHROMIUM_PATH or /usr/bin/chromium. Fix: `sudo apt-get install chromium` or set CHROMIUM_PATH';
const NO_NGINX = 'nginx tests: no nginx. Fix: `sudo apt-get install nginx`';

const MANAGEMENT_OFF =
  "RabbitMQ's management plugin is off, so the pages' links to its UI will not open. Fix: `sudo rabbitmq-plugins enable rabbitmq_management` (left to you: this broker was set up before)";

function fail(problem) {
  return { install: [], root: [], user: [], skips: [], notes: [], problem };
}

/** The lines that tell a person what is missing and what is about to happen. */
export function describePlan(plan, facts) {
  const lines = [];
  if (plan.install.length > 0) {
    lines.push(
      `installs ${plan.install.join(', ')} with apt-get (${facts.root ? 'as root' : 'sudo asks for your password'})`,
    );
  }
  const started = plan.root.filter((c) => /systemctl enable|start-stop-daemon|-detached/.test(c));
  for (const command of started) {
    const what = /mariadb/.test(command) ? 'MariaDB' : 'RabbitMQ';
    lines.push(`starts ${what} (${facts.systemd ? 'systemd' : 'no systemd here: directly'})`);
  }
  if (plan.root.some((c) => c.includes('rabbitmq_management')))
    lines.push("enables RabbitMQ's management plugin (the pages link to its UI)");
  if (plan.user.includes('npm ci'))
    lines.push(
      'installs the npm packages (`npm ci`: node_modules is missing or older than package-lock.json)',
    );
  for (const skip of plan.skips) lines.push(`skips ${skip}`);
  for (const note of plan.notes) lines.push(`note: ${note}`);
  return lines;
}
