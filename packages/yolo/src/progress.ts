import { Presets, SingleBar } from 'cli-progress';

/** Whether progress may redraw a bar: stdout and stderr are both a terminal (not CI, a log file or a pipe). */
export function interactive(): boolean {
  return !!process.stdout.isTTY && !!process.stderr.isTTY;
}

/** Progress of a loop over named items, on stderr (stdout keeps the command's output). */
export interface Progress {
  /** Item `i` (0-based) of the total, named `name`, starts. */
  item(i: number, name: string): void;
  /** Every item is done. */
  done(): void;
}

/**
 * A progress report for `total` items labelled `label`: a cli-progress bar when {@link interactive}, else one
 * line per item as it starts (`zoo 3/14 yolov8-DSConv.yaml`), so logs show every step and nothing is redrawn.
 */
export function progress(label: string, total: number): Progress {
  if (!interactive()) {
    return { item: (i, name) => void process.stderr.write(`${label} ${i + 1}/${total} ${name}\n`), done: () => {} };
  }
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {item}`, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { item: '' });
  return {
    item: (i, name) => bar.update(i, { item: name }),
    done: () => {
      bar.update(total, { item: '' });
      bar.stop();
    },
  };
}
