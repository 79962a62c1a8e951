import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { deploy, reparameterize, runFixture, TOLERANCE, type Module } from '@plugconv/core';
import { loadFixture } from '@plugconv/core/node';
import { loadModel } from '../configs.js';
import { registry } from '../registry.generated.js';
import { useNodeBackend } from '../node-backends.js';
import { UsageError } from '../usage-error.js';

/** Options of `plugconv check`. */
export interface CheckOptions {
  cfg?: string;
  scale?: string;
  module?: string;
  args?: string;
  backend: string;
  deploy?: boolean;
  reparameterize?: boolean;
}

/** Builds the module or model a check names; usage mistakes throw {@link UsageError}. */
export function buildForCheck(opts: CheckOptions, meta: Record<string, unknown>): Module<tf.Tensor, any> {
  if (!!opts.cfg === !!opts.module) throw new UsageError('give either --cfg CFG --scale S or --module NAME [--args JSON]');
  if (opts.cfg) return loadModel(opts.cfg, { scale: opts.scale });
  const spec = registry.get(opts.module!);
  if (!spec) throw new UsageError(`unknown module '${opts.module}' (did you mean ${registry.nearest(opts.module!).join(', ')}?)`);
  let args: unknown = meta.args;
  if (opts.args !== undefined) {
    try {
      args = JSON.parse(opts.args);
    } catch (e) {
      throw new UsageError(`--args is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(args)) throw new UsageError('--args must be a JSON array of constructor arguments (c1 first)');
  try {
    return spec.create(...args);
  } catch (e) {
    throw new UsageError(`${spec.name}(${args.map((a) => JSON.stringify(a)).join(', ')}): ${(e as Error).message}`);
  }
}

/** `plugconv check FIXTURE`: parity against a PyTorch fixture; exit 0 pass, 1 fail, 2 bad usage or input. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('load a fixture state into a module or model, run its input in eval mode and compare with its output')
    .argument('<fixture>', '.safetensors with input, output and state.* (PyTorch layout)')
    .option('--cfg <cfg>', 'YAML config (whole-model fixture)')
    .option('--scale <s>', 'scale of --cfg')
    .option('--module <name>', 'registered module name (module fixture)')
    .option('--args <json>', 'constructor arguments as a JSON array, c1 first (default: the fixture .json)')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--deploy', 'deploy() (re-parameterise and fold BN) after loading, before running')
    .option('--reparameterize', "only every module's switchToDeploy() (PyTorch's deployed form: the fixture's deploy_params)")
    .action(async (fixturePath: string, opts: CheckOptions) => {
      const backend = await useNodeBackend(opts.backend);
      if (!existsSync(fixturePath)) throw new UsageError(`${fixturePath}: no such file`);
      const fixture = loadFixture(fixturePath);
      const module = buildForCheck(opts, fixture.meta);
      try {
        module.loadStateDict(fixture.state);
      } catch (e) {
        throw new UsageError(`${fixturePath}: ${(e as Error).message}`);
      }
      if (opts.deploy && opts.reparameterize) throw new UsageError('give --deploy or --reparameterize, not both');
      if (opts.deploy) deploy(module);
      if (opts.reparameterize) reparameterize(module);
      const r = runFixture(module, fixture, TOLERANCE[backend]);
      const mode = opts.deploy ? ' (deployed)' : opts.reparameterize ? ' (re-parameterised)' : '';
      const params = module.numParams();
      const expected = opts.reparameterize ? fixture.meta.deploy_params : opts.deploy ? undefined : fixture.meta.params;
      const paramNote = typeof expected === 'number' ? ` (fixture: ${expected})` : '';
      console.log(`${fixturePath}: ${r.elements} elements on ${backend}${mode}, ${params} parameters${paramNote}, worst |err|/tol ${r.worstRatio.toFixed(3)}`);
      if (typeof expected === 'number' && expected !== params) {
        console.log(`parameter count ${params} differs from the fixture's ${expected}`);
        r.pass = false;
      }
      console.log(`max abs error ${r.maxAbsError.toExponential(3)} ${r.pass ? 'PASS' : 'FAIL'}`);
      process.exitCode = r.pass ? 0 : 1;
    });
}
