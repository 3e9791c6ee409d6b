// Static checks of the broker's per-service users (docs/security.md, "Broker accounts"): each
// service connects as its own user, created by deploy/rabbitmq/accounts.sh with permissions that
// let it reach what it uses and nothing else. No Docker engine needed.
import { expect } from 'chai';
import { environmentOf } from './lib/compose-checks.js';
import { ACCOUNTS_SCRIPT, accountsInScript } from './lib/broker-accounts.js';
import { loadCompose, readText } from './lib/repo.js';

const SCRIPT = ACCOUNTS_SCRIPT;

/** The variable naming the user in a service's RABBITMQ_URL(s). */
function userVariable(url: string): string[] {
  return [...url.matchAll(/amqp:\/\/\$\{([A-Z_]+):-[a-z_]+\}:/g)].map((m) => m[1]!);
}

const QUEUES = ['game_events', 'game_events.retry', 'game_events.retry.1s', 'game_events.dlq'];
const OTHERS = ['amq.rabbitmq.log', 'other_app', 'xgame_events', 'game_eventsx', 'amq.topic'];

/** What each service reaches (resources of the AMQP table), and what it must not. */
const NEEDS: Record<string, { configure: string[]; write: string[]; read: string[] }> = {
  backend: {
    configure: [...QUEUES, 'task_changes', 'amq.gen-JzTY20BRgKO-HjmUJj0wLg'],
    write: ['amq.default', 'task_changes', 'amq.gen-JzTY20BRgKO-HjmUJj0wLg'],
    read: [...QUEUES, 'task_changes', 'amq.gen-JzTY20BRgKO-HjmUJj0wLg'],
  },
  'message-consumer': { configure: QUEUES, write: ['amq.default'], read: QUEUES },
  'message-producer': { configure: QUEUES, write: ['amq.default'], read: QUEUES },
};

describe('broker accounts in docker-compose.yml', () => {
  const compose = loadCompose();
  const accounts = accountsInScript();
  const rabbitmq = environmentOf(compose.services.rabbitmq!);

  it('runs the broker through the accounts script, healthy only once the users exist', () => {
    expect(JSON.stringify(compose.services.rabbitmq)).to.contain(
      '/usr/local/bin/rabbitmq-with-accounts',
    );
    expect(readText('docker-compose.yml')).to.contain(`file: ./${SCRIPT}`);
    expect(JSON.stringify(compose.services.rabbitmq!.healthcheck)).to.contain(
      '/tmp/retro-accounts-ready',
    );
    expect(readText(SCRIPT)).to.contain(
      'ready=${RETRO_ACCOUNTS_READY_FILE:-/tmp/retro-accounts-ready}',
    );
    expect(readText(SCRIPT)).to.match(/touch "\$ready"\nwait "\$server"\n$/);
  });

  for (const [service, needs] of Object.entries(NEEDS)) {
    describe(service, () => {
      const env = environmentOf(compose.services[service]!);
      const [variable, ...more] = userVariable(env.RABBITMQ_URL ?? '');

      it('connects as a user of its own, not the management UI\u2019s', () => {
        expect(variable, env.RABBITMQ_URL).to.match(/^RABBITMQ_[A-Z]+_USER$/);
        expect(more).to.deep.equal([]);
        expect(variable).not.to.equal('RABBITMQ_DEFAULT_USER');
        const others = Object.keys(NEEDS)
          .filter((s) => s !== service)
          .flatMap((s) => userVariable(environmentOf(compose.services[s]!).RABBITMQ_URL ?? ''));
        expect(others).not.to.include(variable);
        // the broker container gets the same user and password to create
        expect(rabbitmq[variable!]).to.equal(env.RABBITMQ_URL!.match(/amqp:\/\/(\$\{[^}]+\})/)![1]);
        expect(rabbitmq[variable!.replace(/_USER$/, '_PASS')]).to.match(
          /^\$\{RABBITMQ_[A-Z]+_PASS:\?/,
        );
      });

      it('may configure, write and read what it uses, and nothing else', () => {
        const permissions = accounts.get(variable!);
        expect(permissions, `${SCRIPT} creates ${variable}`).not.to.equal(undefined);
        for (const kind of ['configure', 'write', 'read'] as const) {
          const allowed = permissions![kind];
          expect(
            needs[kind].filter((r) => !allowed.test(r)),
            `${kind} refuses`,
          ).to.deep.equal([]);
          const unused = [...OTHERS, ...Object.values(NEEDS).flatMap((n) => n[kind])].filter(
            (r) => !needs[kind].includes(r) && !(kind === 'read' && r === 'amq.default'),
          );
          expect(
            unused.filter((r) => allowed.test(r)),
            `${kind} allows`,
          ).to.deep.equal([]);
          expect(allowed.source).not.to.equal('.*');
        }
      });

      it('has its permissions written in docs/security.md', () => {
        const doc = readText('docs/security.md');
        const row = doc.split('\n').find((l) => l.startsWith(`| \`${variable}\``));
        expect(row, `a row for ${variable}`).not.to.equal(undefined);
        for (const regex of accounts.get(variable!)!.text) {
          expect(row).to.contain(`\`${regex.replace(/\|/g, '\\|')}\``);
        }
      });
    });
  }
});
