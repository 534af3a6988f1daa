import { SingleBar, Presets } from 'cli-progress';

/** A backfill progress bar per endpoint: count, rate and ETA (cli-progress). */
export class BackfillProgress {
  private bar: SingleBar | undefined;
  private endpoint: string | undefined;
  private started = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(endpoint: string, processed: number, total: number | undefined): void {
    if (endpoint !== this.endpoint) {
      this.bar?.stop();
      this.endpoint = endpoint;
      this.started = Date.now();
      this.bar = new SingleBar(
        {
          format: `${endpoint} [{bar}] {value}/{total} Tasks | {rate} Tasks/s | ETA {eta_formatted}`,
          stream: this.stream,
          etaBuffer: 50,
          noTTYOutput: true,
          notTTYSchedule: 2000,
        },
        Presets.shades_classic,
      );
      this.bar.start(Math.max(total ?? processed, processed, 1), 0, { rate: '0.0' });
    }
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    if (total !== undefined && total > 0) this.bar!.setTotal(Math.max(total, processed));
    this.bar!.update(processed, { rate: (processed / seconds).toFixed(1) });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
