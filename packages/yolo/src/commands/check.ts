import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import {
  createModule,
  deploy,
  describeComparison,
  detectionOutputs,
  forwardTorchLayout,
  isDetector,
  reparameterize,
  runFixture,
  TOLERANCE,
  ultralyticsVersion,
  withoutRandomInit,
  type Fixture,
  type Module,
  type UltralyticsVersion,
} from '@plugconv/core';
import { loadFixture, loadYoloConfig, readCheckpointFile, writeSafetensors } from '@plugconv/core/node';
import { loadModel, resolveConfigPath } from '../configs.js';
import { registry } from '../registry.generated.js';
import { useNodeBackend } from '../node-backends.js';
import { ultralyticsOption } from '../options.js';
import { UsageError } from '../usage-error.js';
import { checkpointModel } from '../checkpoint.js';
import { requireFile, weightsFileKind } from '../checkpoint-file.js';
import { loadWeights, requireSafetensorsFile } from '../predict/weights-file.js';

/** Options of `plugconv check`. */
export interface CheckOptions {
  cfg?: string;
  scale?: string;
  module?: string;
  args?: string;
  weights?: string;
  ultralytics?: string;
  save?: string;
  backend: string;
  deploy?: boolean;
  reparameterize?: boolean;
}

/** The semantics a check builds with: `--ultralytics`, else the fixture JSON's `ultralytics` field. */
function fixtureSemantics(opts: CheckOptions, meta: Record<string, unknown>, fixturePath: string): UltralyticsVersion | undefined {
  const flag = ultralyticsOption(opts.ultralytics);
  if (flag || meta.ultralytics === undefined) return flag;
  try {
    return ultralyticsVersion(meta.ultralytics, `${fixturePath.replace(/\.safetensors$/, '.json')}: 'ultralytics'`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Builds the module or model a check names; usage mistakes throw {@link UsageError}. */
export function buildForCheck(opts: CheckOptions, meta: Record<string, unknown>, ultralytics?: UltralyticsVersion): Module<tf.Tensor, any> {
  if (!!opts.cfg === !!opts.module) throw new UsageError('give either --cfg CFG --scale S or --module NAME [--args JSON] (or --weights CHECKPOINT.pt)');
  if (opts.cfg) return loadModel(opts.cfg, { scale: opts.scale, ...(ultralytics ? { ultralytics } : {}), warn: (m) => process.stderr.write(`WARNING ${m}\n`) });
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
    return createModule(spec, args, ultralytics ? { ultralytics } : {});
  } catch (e) {
    throw new UsageError(`${spec.name}(${args.map((a) => JSON.stringify(a)).join(', ')}): ${(e as Error).message}`);
  }
}

/** The model a `--weights` file gives, and the parameter count its checkpoint states (if it does). */
function modelFromWeights(opts: CheckOptions, ultralytics: UltralyticsVersion | undefined, fixturePath: string): { module: Module<tf.Tensor, any>; params?: number; note: string } {
  const weights = opts.weights!;
  requireFile(weights, '--weights');
  if (opts.module) throw new UsageError('--weights loads a whole model: give --cfg (or nothing, for a checkpoint), not --module');
  if (weightsFileKind(weights) === 'safetensors') {
    if (!opts.cfg) throw new UsageError(`--weights ${weights} is a safetensors state dict (no config in it): give the model's YAML with --cfg (and --scale), or give the best.pt`);
    const module = withoutRandomInit(() => buildForCheck(opts, {}, ultralytics));
    try {
      loadWeights(module, weights);
    } catch (e) {
      module.dispose();
      throw e;
    }
    return { module, note: `${opts.cfg} with ${weights}` };
  }
  const ck = readCheckpointFile(weights, { task: 'detect' });
  const flag = ultralyticsOption(opts.ultralytics);
  if (!flag && ck.semantics && ultralytics && ck.semantics.version !== ultralytics) {
    process.stderr.write(`WARNING ${fixturePath}'s JSON says ultralytics ${ultralytics}, the checkpoint was built with ${ck.semantics.version} (${ck.semantics.reason}); building as the checkpoint was\n`);
  }
  // --ultralytics, else the checkpoint's own semantics, else (a plain state dict) the fixture's
  const chosen = flag ?? (ck.semantics ? undefined : ultralytics);
  const loaded = checkpointModel(ck, {
    ...(opts.cfg ? { yaml: loadYoloConfig(resolveConfigPath(opts.cfg)) } : {}),
    ...(opts.scale ? { scale: opts.scale } : {}),
    ...(chosen ? { ultralytics: chosen } : {}),
    warn: (m) => process.stderr.write(`WARNING ${m}\n`),
  });
  const why = flag ? '--ultralytics' : ck.semantics ? ck.semantics.reason : ultralytics ? `${fixturePath}'s JSON` : loaded.semantics.reason;
  return { module: loaded.model, ...(loaded.parameterCount !== undefined ? { params: loaded.parameterCount } : {}), note: `${weights}, ultralytics ${loaded.semantics.version} semantics (${why})` };
}

/** What the module computes for the fixture's input (PyTorch layout): `output`, and `output_raw` for end2end heads. */
function computedOutputs(module: Module<tf.Tensor, any>, fixture: Fixture): Map<string, tf.Tensor> {
  if (isDetector(module)) {
    const out = detectionOutputs(module, fixture.input);
    return new Map([['output', out.output], ...(out.raw ? [['output_raw', out.raw] as [string, tf.Tensor]] : [])]);
  }
  return new Map([['output', forwardTorchLayout(module, fixture.input)]]);
}

/** `plugconv check FIXTURE`: parity against a PyTorch fixture; exit 0 pass, 1 fail, 2 bad usage or input. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('load a fixture state (or a checkpoint) into a module or model, run its input in eval mode and compare with its output')
    .argument('<fixture>', '.safetensors with input, output (output_raw for end2end heads) and state.* (PyTorch layout)')
    .option('--cfg <cfg>', 'YAML config (whole-model fixture; with --weights: the config of a state dict)')
    .option('--scale <s>', 'scale of --cfg')
    .option('--module <name>', 'registered module name (module fixture)')
    .option('--args <json>', 'constructor arguments as a JSON array, c1 first (default: the fixture .json)')
    .option('--weights <file>', 'the weights to check instead of the fixture state: an ultralytics checkpoint (best.pt: model, config and semantics from it) or a .safetensors state dict with --cfg')
    .option('--ultralytics <version>', "build with this release's semantics, 8.2 or 8.4 (default: the checkpoint's, else the fixture .json's 'ultralytics', else 8.4)")
    .option('--save <file>', 'write what the model computed (input, output, output_raw) to this .safetensors file')
    .option('--backend <b>', 'tfjs backend (wasm, cpu)', 'wasm')
    .option('--deploy', 'deploy() (re-parameterise and fold BN) after loading, before running')
    .option('--reparameterize', "only every module's switchToDeploy() (PyTorch's deployed form: the fixture's deploy_params)")
    .action(async (fixturePath: string, opts: CheckOptions) => {
      const backend = await useNodeBackend(opts.backend);
      if (opts.deploy && opts.reparameterize) throw new UsageError('give --deploy or --reparameterize, not both');
      requireSafetensorsFile(fixturePath, 'the reference', 'check compares with a .safetensors fixture holding input and output; give a checkpoint as --weights');
      const fixture = loadFixture(fixturePath);
      const ultralytics = fixtureSemantics(opts, fixture.meta, fixturePath);
      let module: Module<tf.Tensor, any>;
      let stated: number | undefined;
      let note = '';
      if (opts.weights) {
        ({ module, params: stated, note } = modelFromWeights(opts, ultralytics, fixturePath));
      } else {
        module = buildForCheck(opts, fixture.meta, ultralytics);
        try {
          if (!fixture.state.size && module.namedSlots().length) {
            throw new Error(`holds no state.* tensors (input and output only): give the weights to check with --weights (a best.pt, or a .safetensors with --cfg)`);
          }
          module.loadStateDict(fixture.state);
        } catch (e) {
          module.dispose();
          throw new UsageError(`${fixturePath}: ${(e as Error).message}`);
        }
      }
      try {
        if (opts.deploy) deploy(module);
        if (opts.reparameterize) reparameterize(module);
        const r = runFixture(module, fixture, TOLERANCE[backend]);
        if (opts.save) {
          const out = computedOutputs(module, fixture);
          try {
            writeSafetensors(opts.save, new Map([['input', fixture.input], ...out]), { reference: fixturePath, backend, ...(opts.weights ? { weights: opts.weights } : {}) });
          } finally {
            tf.dispose([...out.values()]);
          }
        }
        const mode = opts.deploy ? ' (deployed)' : opts.reparameterize ? ' (re-parameterised)' : '';
        const params = module.numParams();
        const expected = opts.reparameterize ? fixture.meta.deploy_params : opts.deploy ? undefined : (fixture.meta.params ?? stated);
        const paramNote = typeof expected === 'number' ? ` (fixture: ${expected})` : '';
        if (note) console.log(`model from ${note}`);
        console.log(`${fixturePath}: ${r.elements} elements on ${backend}${mode}, ${params} parameters${paramNote}, worst |err|/tol ${r.worstRatio.toFixed(3)}`);
        console.log(describeComparison(r));
        if (typeof expected === 'number' && expected !== params) {
          console.log(`parameter count ${params} differs from the fixture's ${expected}`);
          r.pass = false;
        }
        if (opts.save) console.log(`saved what the model computed to ${opts.save}`);
        console.log(`max abs error ${r.maxAbsError.toExponential(3)} ${r.pass ? 'PASS' : 'FAIL'}`);
        process.exitCode = r.pass ? 0 : 1;
      } finally {
        module.dispose();
        tf.dispose([fixture.input, fixture.output, ...(fixture.outputRaw ? [fixture.outputRaw] : []), ...fixture.state.values()]);
      }
    });
}
