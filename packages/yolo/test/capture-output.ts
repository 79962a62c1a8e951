import { afterEach, beforeEach, vi } from 'vitest';

/** What the CLI printed during the current test: console.log lines and stderr writes. */
export interface CapturedOutput {
  out: string[];
  err: string[];
}

/**
 * Captures console.log and stderr for every test of the calling file (reset before each test) and resets
 * process.exitCode around each, so CLI commands can be run in-process with `main([...])`.
 */
export function captureOutput(): CapturedOutput {
  const captured: CapturedOutput = { out: [], err: [] };
  beforeEach(() => {
    captured.out = [];
    captured.err = [];
    process.exitCode = 0;
    vi.spyOn(console, 'log').mockImplementation((...a) => void captured.out.push(a.join(' ')));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (captured.err.push(String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });
  return captured;
}
