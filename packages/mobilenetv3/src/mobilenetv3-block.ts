import * as tf from '@tensorflow/tfjs-core';
import { checkIntArgs, makeDivisibleTorchvision, Module, Sequential } from '@plugconv/core';
import { makeActivation } from './activation.js';
import { ConvNormActivation } from './conv-norm-activation.js';
import { SqueezeExcitation } from './squeeze-excitation.js';

/**
 * MobileNetV3's inverted residual block, exactly torchvision's `InvertedResidual` (0.14):
 * expand 1x1 Conv-BN-act (left out when exp == c1) -> depthwise k x k Conv-BN-act (stride 1 when d > 1,
 * padding (k-1)//2*d) -> SqueezeExcitation (squeeze = makeDivisibleTorchvision(exp // 4), hard-sigmoid gate) when `se`
 * -> project 1x1 Conv-BN (no activation); plus the input when s == 1 and c1 == c2. Activations: `HS`
 * hard-swish x*relu6(x+3)/6, `RE` ReLU.
 *
 * State keys as torchvision's: `block.0.0.weight`, `block.0.1.*` (expand), `block.1.*` (depthwise),
 * `block.2.fc1.*`/`block.2.fc2.*` (SE), `block.3.*` (project); indices shift down when a part is left out.
 */
export class MobileNetV3Block extends Module {
  /** The parts in order: expand (when exp != c1), depthwise, SE (when `se`), project (keys `block.<i>.*`). */
  readonly block: Sequential;
  /** Whether the input is added to the output (s == 1 and c1 == c2). */
  readonly useResConnect: boolean;

  /**
   * @param c1 input channels
   * @param c2 output channels
   * @param k depthwise kernel size (default 3)
   * @param s stride, 1 or 2 (default 1)
   * @param exp expanded (hidden) channels (default c1: no expansion)
   * @param se squeeze-and-excitation after the depthwise conv (default false)
   * @param act 'HS' (hard-swish, default) or 'RE' (ReLU)
   * @param d depthwise dilation (default 1; d > 1 runs the depthwise conv at stride 1)
   */
  constructor(c1: number, c2: number, k = 3, s = 1, exp: number = c1, se = false, act: string = 'HS', d = 1) {
    super();
    checkIntArgs('MobileNetV3Block', { c1, c2, k, exp, d }, 1, { quote: true });
    if (s !== 1 && s !== 2) throw new Error(`MobileNetV3Block: argument 's' must be 1 or 2 (torchvision: illegal stride value), got ${JSON.stringify(s)}`);
    if (typeof se !== 'boolean') throw new Error(`MobileNetV3Block: argument 'se' must be True or False, got ${JSON.stringify(se)}`);
    makeActivation(act); // validates the code before anything is allocated
    this.useResConnect = s === 1 && c1 === c2;
    const layers: Module[] = [];
    if (exp !== c1) layers.push(new ConvNormActivation(c1, exp, 1, { act: makeActivation(act) }));
    layers.push(new ConvNormActivation(exp, exp, k, { stride: d > 1 ? 1 : s, dilation: d, groups: exp, act: makeActivation(act) }));
    if (se) layers.push(new SqueezeExcitation(exp, makeDivisibleTorchvision(Math.floor(exp / 4), 8)));
    layers.push(new ConvNormActivation(exp, c2, 1, { act: null }));
    this.block = this.addModule('block', new Sequential(...layers));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = this.block.forward(x) as tf.Tensor;
    return this.useResConnect ? tf.add(y, x) : y;
  }
}
