// The published types are real, not `any`: this compiles (strict, NodeNext, library types checked), and each
// line marked as an expected error must fail to compile.
import * as tf from '@tensorflow/tfjs-core';
import { coreModules, Registry, summarize, type ModelSummary, type ModuleSpec, type StateDict } from '@plugconv/core';
import { checkFixture, type FixtureFile } from '@plugconv/core/node';
import { C2f_DSConv, DSConv2D, modules as dsconvModules } from '@plugconv/dsconv';
import { loadModel, registry, resolveConfigPath, shippedConfigs } from '@plugconv/yolo';

const layer = new DSConv2D(16, 32, 3, 1, null, 1, 1, true, 8, 32);
layer.eval();
const y: tf.Tensor = layer.forward(tf.zeros([1, 20, 20, 16]));
const state: StateDict = layer.stateDict();
const block = new C2f_DSConv(32, 32, 1, true);
const specs: ModuleSpec[] = dsconvModules;
const mine = new Registry(coreModules, specs);
const model = loadModel('yolov8n-C2f-DSConv.yaml', { warn: () => {} });
const s: ModelSummary = summarize(model);
const configs: string[] = shippedConfigs();
const path: string = resolveConfigPath('yolov8s.yaml');
const known: boolean = registry.has('C2f_DSConv') && mine.has('DSConv2D');
const check: Promise<{ pass: boolean; maxAbsError: number }> = checkFixture('f.safetensors', () => new DSConv2D(16, 32, 3));
const file: FixtureFile | null = null;
// @ts-expect-error c1 is a number
new DSConv2D('16', 32);
// @ts-expect-error summarize returns a ModelSummary, whose params is a number
const wrong: string = summarize(model).params;
console.log(y.shape, state.size, block.numParams(), s.params, configs.length, path, known, check, file, wrong);
