import { createLogger } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { ArchivePurge } from '../src/entry-points/archive-purge.js';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { SHAPES, park, poisonMessages } from './parking.js';

type Summary = { id: number; messageId: string; groupId: string; deletedAt?: string };
type Group = {
  groupId: string;
  fingerprint: string;
  count: number;
  counts: Record<string, number>;
  firstParkedAt: string;
  lastParkedAt: string;
};

const RETENTION_MS = 60_000; // the shortest DELETED_DEAD_LETTER_RETENTION_MS allowed

/** Deleting from the console keeps the rows restorable by an operator until the purge. */
describe('message producer: deleting and restoring dead letters', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;
  // 10 of each shape, parked one second apart an hour ago: within DEAD_LETTER_RETENTION_MS
  const specs = poisonMessages(30, new Date(Date.now() - 3_600_000));
  let groups: Record<string, Group>; // fingerprint → group, before any delete

  before(async () => {
    h = await startProducerTestEnv('producer_soft_delete', {
      // the purge runs when a test says so
      config: {
        DELETED_DEAD_LETTER_RETENTION_MS: RETENTION_MS,
        HOUSEKEEPING_INTERVAL_MS: 86_400_000,
      },
    });
  });
  after(async () => h?.cleanup());
  beforeEach(async () => {
    await clearArchive(h.db);
    await park(h.queues.dlq, specs);
    await h.archived(30);
    groups = Object.fromEntries((await groupList()).map((g) => [g.fingerprint, g]));
  });

  const groupList = async (): Promise<Group[]> => (await h.get('/api/dead-letters/groups')).body;
  const list = async (path = '/api/dead-letters') => {
    const res = await h.request('GET', path);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return { items: res.body as Summary[], total: Number(res.headers.get('x-total-count')) };
  };
  const rowCount = async (where = 'TRUE') => {
    const [[row]] = await h.db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM dead_letters WHERE ${where}`,
    );
    return Number(row!.n);
  };

  it('when "delete all matching" names no condition, then it answers 400 naming filter and nothing changes', async () => {
    const before = { rows: await list(), groups: await groupList() };

    const empty = await h.post('/api/dead-letters/delete', { filter: {} });
    const nothing = await h.post('/api/dead-letters/delete', {});
    const notAll = await h.post('/api/dead-letters/delete', { all: false });
    const emptyRestore = await h.post('/api/dead-letters/restore', { filter: {} });

    for (const res of [empty, emptyRestore]) {
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([
        'filter',
      ]);
      expect(res.body.error.details[0].message).to.contain('"all": true');
    }
    expect([nothing.status, notAll.status]).to.deep.equal([400, 400]);
    expect(await list()).to.deep.equal(before.rows);
    expect(await groupList()).to.deep.equal(before.groups);
    expect(await rowCount('deleted_at IS NOT NULL')).to.equal(0);
  });

  it('when an operator deletes a group and then restores it, then its messages leave every list and count and come back with the same counts', async () => {
    const refused = groups[SHAPES.refused]!;
    const ids = (await list(`/api/dead-letters?group=${refused.groupId}`)).items.map((s) => s.id);

    const deleted = await h.post('/api/dead-letters/delete', { group: refused.groupId });

    expect(deleted.body).to.include({ deleted: 10 });
    expect((await list()).total).to.equal(20);
    expect((await list('/api/dead-letters?type=game')).total).to.equal(0);
    expect((await groupList()).map((g) => g.groupId)).not.to.include(refused.groupId);
    expect(await rowCount()).to.equal(30); // still there, restorable
    expect(await h.metrics()).to.match(/^producer_dead_letters_archived 20$/m);
    const gone = await list(`/api/dead-letters/deleted?group=${refused.groupId}`);
    expect(gone.total).to.equal(10);
    expect(gone.items.map((s) => s.id)).to.have.members(ids);
    expect(gone.items[0]).to.include({ deletedBy: 'test-operator' });
    expect(gone.items[0]!.deletedAt).to.be.a('string');
    expect((await h.get(`/api/dead-letters/${ids[0]}`)).status).to.equal(404);

    const restored = await h.post('/api/dead-letters/restore', { ids });

    expect(restored.status).to.equal(200);
    expect(restored.body).to.include({ restored: 10 });
    expect((await list()).total).to.equal(30);
    expect((await list('/api/dead-letters/deleted')).total).to.equal(0);
    const back = (await groupList()).find((g) => g.groupId === refused.groupId);
    expect(back).to.deep.equal(refused); // counts, fingerprint, first and last parking
    expect(await h.metrics()).to.match(/^producer_dead_letters_archived 30$/m);
    const [entry] = (await h.get('/api/dead-letters/audit?action=restore')).body;
    expect(entry).to.include({ action: 'restore', actor: 'test-operator', affected: 10 });
  });

  it('when some of a group are deleted, then the group counts the rest and a restore puts them back', async () => {
    const exhausted = groups[SHAPES.exhausted]!;
    const { items } = await list(`/api/dead-letters?group=${exhausted.groupId}`);
    const newest = items.slice(0, 3).map((s) => s.id); // newest first: the group's last parkings

    await h.post('/api/dead-letters/delete', { ids: newest });

    const shrunk = (await groupList()).find((g) => g.groupId === exhausted.groupId)!;
    expect(shrunk.count).to.equal(7);
    expect(shrunk.lastParkedAt < exhausted.lastParkedAt).to.equal(true);
    expect((await list(`/api/dead-letters?group=${exhausted.groupId}`)).total).to.equal(7);
    const unknown = await h.post('/api/dead-letters/restore', { ids: [items[5]!.id] });
    expect(unknown.status).to.equal(404); // not deleted: nothing to restore

    const restored = await h.post('/api/dead-letters/restore', {
      filter: { group: exhausted.groupId },
    });

    expect(restored.body.restored).to.equal(3);
    expect((await groupList()).find((g) => g.groupId === exhausted.groupId)).to.deep.equal(
      exhausted,
    );
  });

  it('when messages are deleted, then a replay of everything and an export leave them out', async () => {
    const custom = await list('/api/dead-letters?type=custom&limit=200');
    await h.post('/api/dead-letters/delete', { filter: { type: 'custom' } });
    await h.probe.drain(h.queues.main);

    const exported = await fetch(`${h.producer.url}/api/dead-letters/export`, { headers: h.auth });
    const lines = (await exported.text()).trimEnd().split('\n');
    const parked = await h.get('/api/dlq?limit=500');
    const replay = await h.post('/api/dlq/replay', { all: true });

    expect(lines).to.have.length(10);
    expect(lines.every((line) => JSON.parse(line).type === 'game')).to.equal(true);
    expect(parked.body.total).to.equal(10);
    expect(replay.body.replayed).to.equal(10);
    const sent = await waitFor('the ten copies', async () => {
      const got = await h.probe.drain(h.queues.main);
      return got.length ? got : undefined;
    });
    const deletedIds = new Set(custom.items.map((s) => s.messageId));
    expect(sent).to.have.length(10);
    expect(sent.some((m) => deletedIds.has(m.properties.messageId))).to.equal(false);
    const stillDeleted = await list('/api/dead-letters/deleted?replayed=true');
    expect(stillDeleted.total).to.equal(0);
  });

  it('when "all": true is sent, then every live message is deleted, and "all": true restores every one', async () => {
    const all = await h.post('/api/dead-letters/delete', { all: true });
    expect(all.body.deleted).to.equal(30);
    expect((await list()).total).to.equal(0);
    expect(await groupList()).to.deep.equal([]);

    const back = await h.post('/api/dead-letters/restore', { all: true });
    expect(back.body.restored).to.equal(30);
    expect(await groupList()).to.have.deep.members(Object.values(groups));
  });

  it('when the retention has passed, then the purge removes those deleted rows for good and keeps the recent ones restorable', async () => {
    const { items } = await list('/api/dead-letters?type=custom&limit=200');
    const [old, recent] = [items.slice(0, 5).map((s) => s.id), items.slice(5).map((s) => s.id)];
    await h.post('/api/dead-letters/delete', { ids: [...old, ...recent] });
    // deleted longer ago than the retention
    await h.db.query(
      'UPDATE dead_letters SET deleted_at = NOW(3) - INTERVAL 2 MINUTE WHERE id IN (?)',
      [old],
    );

    // another producer running the purge holds the lock: this one skips its round
    const holder = await h.db.getConnection();
    await holder.query("SELECT GET_LOCK('retro_games_catalog.dead_letter_purge', 0)");
    const skipped = await h.producer.purge.runOnce();
    await holder.query("SELECT RELEASE_LOCK('retro_games_catalog.dead_letter_purge')");
    holder.release();
    const purged = await h.producer.purge.runOnce();

    expect(skipped).to.equal(null);
    expect(purged).to.deep.equal({ purged: 5, expired: 0, audit: 0 });
    expect(await rowCount(`id IN (${old.join(',')})`)).to.equal(0);
    expect(await rowCount()).to.equal(25);
    expect((await h.post('/api/dead-letters/restore', { ids: [old[0]] })).status).to.equal(404);
    expect((await h.post('/api/dead-letters/restore', { ids: recent })).body.restored).to.equal(15);
    expect(await h.metrics()).to.match(/^producer_dead_letters_purged_total 5$/m);
    // the audit trail of the delete still names every row it deleted
    const [entry] = (await h.get('/api/dead-letters/audit?action=delete')).body;
    expect(entry.affected).to.equal(20);
  });

  it('when archived messages and console audit entries pass their retention, then they go for good, off their groups, in bounded batches', async () => {
    const { items } = await list('/api/dead-letters?limit=200');
    const old = items.slice(-7).map((s) => s.id); // the 7 parked first
    await h.db.query(
      'UPDATE dead_letters SET parked_at = NOW(3) - INTERVAL 31 DAY, archived_at = NOW(3) - INTERVAL 31 DAY WHERE id IN (?)',
      [old],
    );
    // parked long ago but archived just now (an old x-failed-at, a broker dead-letter dated by
    // its publish): kept for the whole retention from its archiving
    const lateArchived = items.at(-8)!.id;
    await h.db.query('UPDATE dead_letters SET parked_at = NOW(3) - INTERVAL 400 DAY WHERE id = ?', [
      lateArchived,
    ]);
    await h.post('/api/dead-letters/delete', { ids: [items[0]!.id] });
    await h.db.query(
      "UPDATE dead_letter_audit SET at = NOW(3) - INTERVAL 91 DAY WHERE action = 'delete'",
    );
    const DAY = 86_400_000;
    const purge = new ArchivePurge({
      pool: h.db,
      logger: createLogger('purge-test', 'error'),
      retentionMs: RETENTION_MS,
      archiveRetentionMs: 30 * DAY,
      auditRetentionMs: 90 * DAY,
      intervalMs: 86_400_000,
      batchSize: 3,
    });

    expect(await purge.runOnce()).to.deep.equal({ purged: 0, expired: 7, audit: 1 });
    expect(await rowCount(`id IN (${old.join(',')})`)).to.equal(0);
    expect(await rowCount(`id = ${lateArchived}`)).to.equal(1);
    expect(await rowCount()).to.equal(23); // 30 - 7, the deleted one still restorable
    const [[left]] = await h.db.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM dead_letter_trigrams WHERE dead_letter_id IN (?)',
      [old],
    );
    expect(Number(left!.n)).to.equal(0);
    // the groups count exactly the live rows left
    const counted = (await groupList()).reduce((sum, g) => sum + g.count, 0);
    expect(counted).to.equal(22);
    expect((await list()).total).to.equal(22);
    expect((await h.get('/api/dead-letters/audit?action=delete')).body).to.deep.equal([]);
    expect(await purge.runOnce()).to.deep.equal({ purged: 0, expired: 0, audit: 0 });
  });
});
