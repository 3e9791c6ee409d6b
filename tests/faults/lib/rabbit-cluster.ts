import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { asRoot } from './as-root.js';
import { ExitGuard } from './exit-guard.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/rabbitmq-cluster.sh', import.meta.url));

/** One queue as the cluster reports it. */
export interface ClusterQueue {
  name: string;
  type: string;
  leader: string;
  members: string[];
}

/**
 * The 3-node RabbitMQ cluster of `scripts/rabbitmq-cluster.sh`, beside the machine's own broker
 * (which this never touches). Whatever happens to the test, the cluster is stopped and its files
 * removed: by `stop()` from an `after` hook, and synchronously when the process exits or is
 * interrupted.
 */
export class RabbitCluster {
  /** The nodes' AMQP URLs, node 1 first. */
  urls: string[] = [];
  private readonly guard = new ExitGuard(() =>
    execFileSync(...asRoot(SCRIPT, ['stop']), { stdio: 'ignore', timeout: 300_000 }),
  );

  /** Starts the three nodes and joins them (a minute or two on a busy machine). */
  async start(): Promise<void> {
    this.guard.arm();
    await script(['start'], 600_000);
    this.urls = (await script(['urls'])).trim().split(',');
  }

  /** The name RabbitMQ knows node `n` (1-3) by. */
  nodeName(n: number): string {
    return `rgc${n}@localhost`;
  }

  /** The node (1-3) a node name belongs to. */
  nodeNumber(name: string): number {
    const n = Number(/^rgc(\d)@/.exec(name)?.[1]);
    if (!n) throw new Error(`not a node of this cluster: ${name}`);
    return n;
  }

  url(n: number): string {
    return this.urls[n - 1]!;
  }

  /** Shuts node `n` down (its Erlang VM exits; its data stays), as a lost machine would. */
  async stopNode(n: number): Promise<void> {
    await script(['stop-node', String(n)], 120_000);
  }

  /** Starts node `n` again; it rejoins the cluster with its data. */
  async startNode(n: number): Promise<void> {
    await script(['start-node', String(n)], 300_000);
  }

  /**
   * Every queue of the cluster. rabbitmqctl may print an Erlang report before its JSON (a node
   * still settling after a start), so the JSON is read from its first line, and asked again a few
   * times when there is none yet.
   */
  async queues(): Promise<ClusterQueue[]> {
    let output = '';
    for (let attempt = 1; attempt <= 10; attempt++) {
      output = await script(['queues'], 60_000);
      const start = output.search(/^\[/m);
      if (start >= 0) {
        try {
          return JSON.parse(output.slice(start)) as ClusterQueue[];
        } catch {
          // cut off or mixed with a report: ask again
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    throw new Error(`no queue list from the cluster; last answer: ${output.slice(0, 500)}`);
  }

  /** The node (1-3) leading quorum queue `name`. */
  async leaderOf(name: string): Promise<number> {
    const queue = (await this.queues()).find((q) => q.name === name);
    if (!queue) throw new Error(`queue ${name} is not on the cluster`);
    return this.nodeNumber(queue.leader);
  }

  /** Stops every node and removes their files; then stops watching the process. */
  async stop(): Promise<void> {
    await script(['stop'], 300_000);
    this.guard.release();
  }
}

async function script(args: string[], timeout = 60_000): Promise<string> {
  try {
    const { stdout } = await run(...asRoot(SCRIPT, args), {
      timeout,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `scripts/rabbitmq-cluster.sh ${args.join(' ')} failed: ${(stderr || stdout || String(error)).slice(-2000)}`,
      { cause: error },
    );
  }
}
