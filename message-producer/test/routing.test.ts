import { expect } from 'chai';
import { type Harness, startHarness } from './helpers.js';

/** An operator deletes `game_events` while the producer runs: publishes declare it again. */
describe('message producer: the main queue deleted under it', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness('producer_routing');
  });
  after(async () => h.close());
  afterEach(async () => {
    await h.probe.drain(h.queues.main);
    await h.probe.drain(h.queues.dlq);
  });

  it('when a custom message is published after the main queue was deleted, then it answers 201 and the message is in the declared-again queue', async () => {
    await h.probe.deleteQueue(h.queues.main);

    const res = await h.post('/api/messages/custom', { message: 'after the delete' });

    expect(res.status).to.equal(201);
    const [msg, ...rest] = await h.probe.drain(h.queues.main);
    expect(rest).to.have.length(0);
    expect(msg!.properties.messageId).to.equal(res.body.messageId);
  });
});
