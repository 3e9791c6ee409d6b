import { expect } from 'chai';
import { type ProducerTestEnv, clearArchive, startProducerTestEnv } from './helpers.js';
import { SHAPES, park, poisonMessages } from './parking.js';

type Summary = { id: number; messageId: string; groupId: string; type: string; parkedAt: string };

describe('message producer: the dead-letter console API', function () {
  this.timeout(60_000);
  let h: ProducerTestEnv;
  const specs = poisonMessages(30); // 10 of each shape, parked one second apart
  let groups: Record<string, string>; // fingerprint → group id

  before(async () => {
    h = await startProducerTestEnv('producer_console_api');
  });
  after(async () => h?.cleanup());
  beforeEach(async () => {
    await clearArchive(h.db);
    await park(h.queues.dlq, [
      ...specs,
      { messageId: 'text-1', body: 'not json at all', reason: 'body is not valid JSON' },
    ]);
    await h.archived(31);
    const { body } = await h.get('/api/dead-letters/groups');
    groups = Object.fromEntries(
      body.map((g: { fingerprint: string; groupId: string }) => [g.fingerprint, g.groupId]),
    );
  });

  const list = async (query: string) => {
    const res = await h.request('GET', `/api/dead-letters${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return {
      items: res.body as Summary[],
      total: Number(res.headers.get('x-total-count')),
      next: res.headers.get('x-next-cursor'),
    };
  };

  it('when the list is read page by page, then it goes newest first through every message once, with the total', async () => {
    const seen: Summary[] = [];
    let query = '?limit=7';
    for (;;) {
      const page = await list(query);
      expect(page.total).to.equal(31);
      seen.push(...page.items);
      if (!page.next) break;
      query = `?limit=7&cursor=${page.next}`;
    }
    expect(seen).to.have.length(31);
    expect(new Set(seen.map((s) => s.id)).size).to.equal(31);
    const times = seen.map((s) => s.parkedAt);
    expect(times).to.deep.equal([...times].sort().reverse());
  });

  it('when filtered by group, type, game, body text and time, then only matching messages are listed and counted', async () => {
    const refused = await list(`?group=${groups[SHAPES.refused]}`);
    expect(refused.total).to.equal(10);
    expect(refused.items.every((s) => s.groupId === groups[SHAPES.refused])).to.equal(true);

    expect((await list('?type=game')).total).to.equal(10);
    expect((await list('?type=custom')).total).to.equal(20);
    expect((await list('?type=other')).items.map((s) => s.messageId)).to.deep.equal(['text-1']);
    expect((await list(`?type=custom&group=${groups[SHAPES.mismatch]}`)).total).to.equal(10);

    const game = specs[1]!; // a refused one: game id 2
    expect((await list('?gameId=2')).items.map((s) => s.messageId)).to.deep.equal([game.messageId]);
    expect((await list('?bodyContains=POISON%2012')).items).to.have.length(1); // case-insensitive
    expect((await list('?bodyContains=100%25')).total).to.equal(0); // % is matched literally

    const from = specs[10]!.failedAt!;
    const to = specs[20]!.failedAt!;
    const window = await list(`?from=${from}&to=${to}`);
    expect(window.total).to.equal(10);
    expect(window.items.at(-1)!.parkedAt).to.equal(from);
  });

  it('when one message is opened, then it shows its body, headers, properties and group; an unknown id is 404', async () => {
    const [item] = (await list('?type=other')).items;

    const { status, body } = await h.get(`/api/dead-letters/${item!.id}`);
    const missing = await h.get('/api/dead-letters/999999');

    expect(status).to.equal(200);
    expect(body).to.include({
      messageId: 'text-1',
      body: 'not json at all',
      bodyEncoding: 'utf8',
      bodyIsJson: false,
    });
    expect(body).to.include({
      reason: 'body is not valid JSON',
      fingerprint: 'body is not valid JSON',
    });
    expect(body.headers).to.include({ 'x-error': 'body is not valid JSON' });
    expect(body.properties).to.include({ messageId: 'text-1', contentType: 'application/json' });
    expect(missing.status).to.equal(404);
  });

  it('when the groups are asked past offset 10,000, then it answers 400 naming the cap and the way on', async () => {
    expect((await h.get('/api/dead-letters/groups?offset=10000')).status).to.equal(200);
    const res = await h.get('/api/dead-letters/groups?offset=10001');
    expect(res.status).to.equal(400);
    const [detail] = res.body.error.details;
    expect(detail.field).to.equal('offset');
    expect(detail.message).to.include('at most 10000').and.to.include('/api/dead-letters');
  });

  it('when a query is wrong, then it answers 400 naming each bad or unknown parameter', async () => {
    const bad = await h.get(
      '/api/dead-letters?type=weird&gameId=x&limt=5&cursor=nonsense&from=yesterday',
    );
    const groupsBad = await h.get('/api/dead-letters/groups?sort=size&page=2');
    const byId = await h.get('/api/dead-letters/abc');

    expect(bad.status).to.equal(400);
    const fields = bad.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).to.have.members(['type', 'gameId', 'limt', 'cursor', 'from']);
    expect(
      bad.body.error.details.find((d: { field: string }) => d.field === 'limt').message,
    ).to.equal('is not a known query parameter');
    expect(groupsBad.body.error.details.map((d: { field: string }) => d.field)).to.have.members([
      'sort',
      'page',
    ]);
    expect(byId.status).to.equal(400);
    expect(byId.body.error.details[0].field).to.equal('id');
  });

  it('when a group is deleted, then its messages and the group are gone, the audit trail names the signed-in account (not what X-Actor claims) and which, and other groups are untouched', async () => {
    const group = groups[SHAPES.exhausted]!;
    const ids = (await list(`?group=${group}`)).items.map((s) => s.id);

    const res = await h.request(
      'POST',
      '/api/dead-letters/delete',
      { group },
      { 'X-Actor': 'mallory' },
    );

    expect(res.status).to.equal(200);
    expect(res.body.deleted).to.equal(10);
    expect((await list('')).total).to.equal(21);
    const after = await h.get('/api/dead-letters/groups');
    expect(after.body.map((g: { groupId: string }) => g.groupId)).not.to.include(group);
    const audit = await h.request('GET', '/api/dead-letters/audit?action=delete');
    expect(audit.headers.get('x-total-count')).to.equal('1');
    const [entry] = audit.body;
    expect(entry).to.include({ action: 'delete', actor: 'test-operator', affected: 10 });
    expect(entry.clientIp).to.match(/127\.0\.0\.1$/);
    expect(entry.request).to.deep.equal({ group });
    expect(entry.deadLetterIds).to.have.members(ids);
    const aboutOne = await h.get(`/api/dead-letters/audit?deadLetterId=${ids[0]}`);
    expect(aboutOne.body.map((e: { id: number }) => e.id)).to.deep.equal([entry.id]);
  });

  it('when messages are deleted by id or by filter, then exactly those go, and unknown ids delete nothing with 404', async () => {
    const [a, b] = (await list('?type=custom&limit=2')).items;

    const unknown = await h.post('/api/dead-letters/delete', { ids: [a!.id, 999999] });
    const byIds = await h.post('/api/dead-letters/delete', { ids: [a!.id, b!.id] });
    const single = await h.request(
      'DELETE',
      `/api/dead-letters/${(await list('?type=other')).items[0]!.id}`,
    );
    const byFilter = await h.post('/api/dead-letters/delete', {
      filter: { type: 'game', bodyContains: 'update' },
    });
    const neither = await h.post('/api/dead-letters/delete', { ids: [1], group: 'abcdefabcdef' });

    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.details[0]).to.include({ field: 'ids' });
    expect(byIds.body.deleted).to.equal(2);
    expect(single.status).to.equal(204);
    expect(byFilter.body.deleted).to.equal(10);
    expect((await list('')).total).to.equal(31 - 2 - 1 - 10);
    expect(neither.status).to.equal(400);
    const [[groupSum]] = (await h.db.query(
      'SELECT SUM(message_count) AS n FROM dead_letter_groups',
    )) as never as [{ n: string }[]];
    expect(Number(groupSum!.n)).to.equal(18);
  });

  it('when a filter is exported, then the NDJSON has one line per matching message, each in full', async () => {
    const res = await fetch(`${h.producer.url}/api/dead-letters/export?type=custom`, {
      headers: h.auth,
    });
    const text = await res.text();

    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('application/x-ndjson');
    expect(res.headers.get('content-disposition')).to.match(
      /attachment; filename="dead-letters-.*\.ndjson"/,
    );
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).to.have.length((await list('?type=custom')).total);
    expect(
      lines.every((l) => l.type === 'custom' && typeof l.body === 'string' && l.headers),
    ).to.equal(true);
    const all = await (
      await fetch(`${h.producer.url}/api/dead-letters/export`, { headers: h.auth })
    ).text();
    expect(all.trimEnd().split('\n')).to.have.length(31);
  });
});
