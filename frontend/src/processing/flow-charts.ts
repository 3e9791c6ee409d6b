import type { FlowSample, TaskFlow } from '@retro/common/api';
import uPlot from 'uplot';
import { apiClient } from '../lib/api-client.js';
import { VisibleInterval } from '../lib/visible-interval.js';

const client = apiClient('The flow samples cannot be reached. Check your connection.');
const HISTORY_MS = 15 * 60 * 1000;

interface Line {
  label: string;
  unit: string;
  color: string;
  value: (sample: FlowSample) => number | null;
  /** The right-hand axis (a second unit in one chart). */
  right?: boolean;
}

interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  lines: Line[];
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name);

const charts = (): ChartSpec[] => [
  {
    id: 'flow-throughput',
    title: 'Throughput',
    unit: 'per second',
    lines: [
      { label: 'Completed', unit: '/s', color: css('--neon'), value: (s) => s.completedPerSec },
      { label: 'Failed', unit: '/s', color: css('--red'), value: (s) => s.failedPerSec },
      { label: 'Parked', unit: '/s', color: css('--amber'), value: (s) => s.parkedPerSec },
    ],
  },
  {
    id: 'flow-queues',
    title: 'Queue depth',
    unit: 'messages',
    lines: [
      { label: 'game_events', unit: 'msgs', color: css('--cyan'), value: (s) => s.mainDepth },
      { label: 'Retry tiers', unit: 'msgs', color: css('--violet'), value: (s) => s.retryDepth },
    ],
  },
  {
    id: 'flow-outbox',
    title: 'Outbox',
    unit: 'events',
    lines: [
      { label: 'Backlog', unit: 'events', color: css('--cyan'), value: (s) => s.outboxBacklog },
      {
        label: 'Oldest age',
        unit: 's',
        color: css('--amber'),
        value: (s) => (s.outboxOldestAgeMs === null ? null : s.outboxOldestAgeMs / 1000),
        right: true,
      },
    ],
  },
  {
    id: 'flow-latency',
    title: 'End-to-end p95',
    unit: 'seconds',
    lines: [
      {
        label: 'p95',
        unit: 's',
        color: css('--neon'),
        value: (s) => (s.p95Ms === null ? null : s.p95Ms / 1000),
      },
    ],
  },
];

const number = (value: number | null, unit: string) =>
  value === null ? '—' : `${Number(value.toFixed(2)).toLocaleString()} ${unit}`;

/**
 * The processing page's live charts: the last 15 minutes of the backend's flow samples, polled
 * every sample interval with `since` = the newest sample held, so the history survives a failed
 * poll or a reconnect without a hole. The current values are also written as text beside each
 * chart: what a screen reader reads, and the numbers at a glance.
 */
export class FlowCharts {
  private samples: FlowSample[] = [];
  private readonly specs = charts();
  private readonly plots = new Map<string, uPlot>();
  private readonly poller = new VisibleInterval(() => void this.poll(), 5000);
  private polling = false;

  constructor(private readonly root: HTMLElement) {}

  start(): void {
    for (const spec of this.specs) this.build(spec);
    new ResizeObserver(() => this.resize()).observe(this.root);
    void this.poll();
    this.poller.start();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const last = this.samples.at(-1)?.at;
      const flow = await client.json<TaskFlow>(
        `/api/tasks/flow${last === undefined ? '' : `?since=${last}`}`,
        // the page's own reads ask for a sign-in when one is needed; a poll every 5 s must not
        { cache: 'no-store', signIn: false },
      );
      this.poller.every(flow.intervalMs);
      const fresh = flow.samples.filter((s) => last === undefined || s.at > last);
      if (fresh.length === 0) return;
      const cutoff = Date.now() - HISTORY_MS;
      this.samples = [...this.samples, ...fresh].filter((s) => s.at >= cutoff);
      this.draw();
      this.root.dataset.samples = String(this.samples.length);
      this.root.dataset.first = String(this.samples[0]!.at);
      this.root.dataset.last = String(this.samples.at(-1)!.at);
      this.root.dataset.status = 'live';
    } catch {
      // kept as it is: the next poll asks since the last sample held, so nothing is lost
      this.root.dataset.status = 'retrying';
    } finally {
      this.polling = false;
    }
  }

  private build(spec: ChartSpec): void {
    const figure = document.createElement('figure');
    figure.className = 'flow-chart';
    figure.id = spec.id;
    const caption = document.createElement('figcaption');
    caption.textContent = `${spec.title} (${spec.unit}), last 15 minutes`;
    const now = document.createElement('dl');
    now.className = 'flow-now';
    now.setAttribute('aria-label', `${spec.title} now`);
    const plot = document.createElement('div');
    plot.className = 'flow-plot';
    plot.setAttribute('aria-hidden', 'true');
    figure.append(caption, plot, now);
    this.root.append(figure);
    const axis = { stroke: css('--muted'), grid: { stroke: 'rgba(159, 176, 207, 0.15)' } };
    const right = spec.lines.find((line) => line.right);
    const options: uPlot.Options = {
      width: this.width(),
      height: 160,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        ...spec.lines.map((line) => ({
          label: `${line.label} (${line.unit})`,
          stroke: line.color,
          width: 2,
          scale: line.right ? 'right' : 'y',
          spanGaps: false,
        })),
      ],
      axes: [
        { ...axis },
        { ...axis, label: spec.unit, size: 56 },
        ...(right
          ? [
              {
                ...axis,
                scale: 'right',
                side: 1 as const,
                label: right.unit,
                grid: { show: false },
              },
            ]
          : []),
      ],
      legend: { show: true, live: false },
      cursor: { show: false },
    };
    if (right) options.scales!.right = { range: (_u, _min, max) => [0, Math.max(1, max)] };
    this.plots.set(spec.id, new uPlot(options, [[], ...spec.lines.map(() => [])], plot));
    this.writeNow(spec, now);
  }

  private draw(): void {
    const times = this.samples.map((s) => s.at / 1000);
    for (const spec of this.specs) {
      const data = [times, ...spec.lines.map((line) => this.samples.map(line.value))];
      this.plots.get(spec.id)?.setData(data as uPlot.AlignedData);
      const now = document.querySelector<HTMLElement>(`#${spec.id} .flow-now`);
      if (now) this.writeNow(spec, now);
    }
  }

  private writeNow(spec: ChartSpec, list: HTMLElement): void {
    const latest = this.samples.at(-1);
    list.replaceChildren(
      ...spec.lines.flatMap((line) => {
        const term = document.createElement('dt');
        term.textContent = line.label;
        const value = document.createElement('dd');
        value.textContent = latest ? number(line.value(latest), line.unit) : '—';
        return [term, value];
      }),
    );
  }

  private width(): number {
    const column = this.root.clientWidth;
    return Math.max(260, Math.min(column >= 900 ? column / 2 - 200 : column - 190, 640));
  }

  private resize(): void {
    for (const plot of this.plots.values()) plot.setSize({ width: this.width(), height: 160 });
  }
}
