import { round } from '../lib/load.js';
import { deployedPipeline, type PipelineRun } from './deployed-pipeline.js';
import { plainLoop } from './plain-loop.js';

export interface PipelineComparisonOptions {
  rounds: number;
  events: number;
  /** Clients creating games at once, and writers of the plain loop. */
  concurrency: number;
  /** The plain loop's prefetch. */
  prefetch: number;
  /** Events each side runs through before its clock starts. */
  warmup: number;
  /** Write CPU profiles of the services of the first round into this directory. */
  cpuProfileDir?: string;
  /**
   * Also run the deployed system with JOURNEY_ENABLED=false in each round, to measure what
   * recording the journeys costs side by side.
   */
  compareJourney?: boolean;
  /** Called after each run, for progress lines. */
  onRun?: (round: number, side: Side, run: PipelineRun) => void;
}

type Side = 'deployed' | 'plain' | 'no-journey';

export interface PipelineRound {
  deployed: PipelineRun;
  plain: PipelineRun;
  /** The deployed system without journeys (compareJourney). */
  noJourney?: PipelineRun;
  /** Deployed events/s over plain-loop events/s. */
  ratio: number;
}

/**
 * The deployed system against the plain loop, side by side: `rounds` rounds, each running both
 * (alternating which goes first, so a drift in the machine's load hits both alike). Returns every
 * run, the ratio per round and overall (total events over total time of each side).
 */
export async function comparePipeline(options: PipelineComparisonOptions) {
  const rounds: PipelineRound[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const runDeployed = async () => {
      const run = await deployedPipeline({
        events: options.events,
        concurrency: options.concurrency,
        warmup: options.warmup,
        cpuProfileDir: i === 0 ? options.cpuProfileDir : undefined,
      });
      options.onRun?.(i + 1, 'deployed', run);
      return run;
    };
    const runPlain = async () => {
      const run = await plainLoop(options);
      options.onRun?.(i + 1, 'plain', run);
      return run;
    };
    const runNoJourney = async () => {
      if (!options.compareJourney) return undefined;
      const run = await deployedPipeline({
        events: options.events,
        concurrency: options.concurrency,
        warmup: options.warmup,
        journey: false,
      });
      options.onRun?.(i + 1, 'no-journey', run);
      return run;
    };
    let deployed: PipelineRun;
    let plain: PipelineRun;
    let noJourney: PipelineRun | undefined;
    if (i % 2 === 0) {
      deployed = await runDeployed();
      noJourney = await runNoJourney();
      plain = await runPlain();
    } else {
      plain = await runPlain();
      noJourney = await runNoJourney();
      deployed = await runDeployed();
    }
    rounds.push({
      deployed,
      plain,
      ...(noJourney && { noJourney }),
      ratio: round(deployed.eventsPerSec / plain.eventsPerSec, 2),
    });
  }
  const rate = (side: 'deployed' | 'plain' | 'noJourney') =>
    round(
      rounds.reduce((n, r) => n + (r[side]?.events ?? 0), 0) /
        rounds.reduce((s, r) => s + (r[side]?.seconds ?? 0), 0),
    );
  const deployedPerSec = rate('deployed');
  const plainPerSec = rate('plain');
  const withJourneys = options.compareJourney ? rate('noJourney') : null;
  return {
    /** Events/s without journeys, and what recording them costs (1 − with / without). */
    noJourneyEventsPerSec: withJourneys,
    journeyCost: withJourneys === null ? null : round(1 - deployedPerSec / withJourneys, 3),
    rounds,
    deployedEventsPerSec: deployedPerSec,
    plainEventsPerSec: plainPerSec,
    ratio: round(deployedPerSec / plainPerSec, 2),
    cpuMsPerEvent: {
      deployed: meanCpu(rounds.map((r) => r.deployed)),
      plain: meanCpu(rounds.map((r) => r.plain)),
    },
  };
}

/** CPU ms per event of each process, averaged over the runs. */
function meanCpu(runs: PipelineRun[]): Record<string, number> {
  const names = Object.keys(runs[0]?.cpuMsPerEvent ?? {});
  return Object.fromEntries(
    names.map((name) => [
      name,
      round(runs.reduce((s, r) => s + (r.cpuMsPerEvent[name] ?? 0), 0) / runs.length, 2),
    ]),
  );
}
