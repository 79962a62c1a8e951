#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerInfo } from './commands/info.js';
import { registerCheck } from './commands/check.js';
import { registerConvert } from './commands/convert.js';
import { registerModules } from './commands/modules.js';
import { registerPredict } from './commands/predict.js';
import { registerBench } from './commands/bench.js';
import { registerZoo } from './commands/zoo.js';
import { UsageError } from './usage-error.js';

/** Builds the `plugconv` command line (exported for tests). */
export function createProgram(): Command {
  const program = new Command('plugconv')
    .description('YOLOv8, YOLO11, YOLO12 and YOLO26 with plug-and-play lightweight convolutions, in TensorFlow.js')
    .exitOverride()
    .showHelpAfterError();
  registerInfo(program);
  registerCheck(program);
  registerConvert(program);
  registerModules(program);
  registerPredict(program);
  registerBench(program);
  registerZoo(program);
  return program;
}

/**
 * Runs the CLI. Exit codes: 0 success, 1 a check that ran and failed, 2 bad usage or bad input
 * (unknown option, missing file, malformed YAML/fixture/state dict).
 */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // a check that ran and failed sets exit code 1 itself; anything thrown is bad usage or bad input
    const err = e as Error;
    process.stderr.write(`plugconv: ${err instanceof UsageError ? '' : `${err.name}: `}${err.message}\n`);
    return 2;
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry || process.argv[1]?.endsWith('/plugconv')) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
