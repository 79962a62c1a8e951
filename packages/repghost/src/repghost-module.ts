import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, checkIntArgs, Conv2d, fuseSequentialBn, Identity, Module, Sequential, SiLU, type Fusable, type Reparameterizable } from '@plugconv/core';
import { foldConvBn, foldIdentityBn, sumKernelBias, type KernelBias } from './fold.js';
import { checkChannels, checkOddSize } from './validate.js';

/**
 * RepGhost's module (Chen et al. 2022, https://arxiv.org/abs/2211.06088) as the reference code writes it: `primary_conv`
 * (k x k conv -> BN -> SiLU) gives `oup` channels x1; the output is SiLU(cheap_operation(x1) + fusion_bn(x1)),
 * where cheap_operation is a depthwise dw_size conv -> BN and the fusion branch is a BN on x1 itself: the
 * Ghost module's concat is replaced by an add, so the branches fold into one depthwise conv with bias
 * ({@link RepGhostModule.switchToDeploy}). State keys: primary_conv.{0,1}.*, fusion_bn.0.*,
 * cheap_operation.{0,1}.*; deployed: cheap_operation.weight, cheap_operation.bias.
 */
export class RepGhostModule extends Module implements Reparameterizable, Fusable {
  /** Input channels. */
  readonly inp: number;
  /** Output channels. */
  readonly oup: number;
  /** Kernel size of the cheap depthwise conv. */
  readonly dwSize: number;
  /** True once the branches are folded (or when built with `deploy`). */
  deployed: boolean;
  /** k x k conv -> BN -> activation producing x1 (keys `primary_conv.0.*`, `primary_conv.1.*`). */
  readonly primaryConv: Sequential;
  /** The parallel branches' "convs" (identities) and norms (BN or identity); empty once deployed. */
  private fusionConv: Sequential | null;
  private fusionBn: Sequential | null;
  /** Sequential(depthwise conv, BN) for training; a single depthwise Conv2d with bias once deployed. */
  cheapOperation: Module;
  /** The activation after the branches are added (SiLU, or Identity when built with `relu` false). */
  readonly relu: Module;

  /**
   * The reference code's RepGhostModule(inp, oup, kernel_size=1, dw_size=3, stride=1, relu=True, deploy=False,
   * reparam_bn=True, reparam_identity=False): `k` and `stride` of the primary conv, `dw` (odd) of the cheap
   * depthwise conv, `relu` puts SiLU after the primary conv and after the sum, `deploy` builds the folded
   * structure directly (to load a deployed state dict), `reparamBn` / `reparamIdentity` choose the
   * training-time branches on x1 (a BN, an identity) added to the cheap conv.
   */
  constructor(inp: number, oup: number, k = 1, dw = 3, stride = 1, relu = true, deploy = false, reparamBn = true, reparamIdentity = false) {
    super();
    checkIntArgs('RepGhostModule', { inp, oup, kernel_size: k, dw_size: dw, stride });
    checkOddSize('RepGhostModule', 'dw_size', dw);
    this.inp = inp;
    this.oup = oup;
    this.dwSize = dw;
    this.deployed = deploy;
    this.primaryConv = this.addModule(
      'primary_conv',
      new Sequential(new Conv2d(inp, oup, k, { stride, padding: Math.floor(k / 2) }), new BatchNorm2d(oup), relu ? new SiLU() : new Identity()),
    );
    const convs: Module[] = [];
    const norms: Module[] = [];
    if (!deploy && reparamBn) {
      convs.push(new Identity());
      norms.push(new BatchNorm2d(oup));
    }
    if (!deploy && reparamIdentity) {
      convs.push(new Identity());
      norms.push(new Identity());
    }
    this.fusionConv = this.addModule('fusion_conv', new Sequential(...convs));
    this.fusionBn = this.addModule('fusion_bn', new Sequential(...norms));
    const cheap = new Conv2d(oup, oup, dw, { padding: Math.floor(dw / 2), groups: oup, bias: deploy });
    this.cheapOperation = this.addModule('cheap_operation', deploy ? cheap : new Sequential(cheap, new BatchNorm2d(oup)));
    this.relu = this.addModule('relu', relu ? new SiLU() : new Identity());
  }

  forward(x: tf.Tensor): tf.Tensor {
    checkChannels('RepGhostModule', this.inp, x);
    return tf.tidy(() => {
      const x1 = this.primaryConv.forward(x);
      let x2 = this.cheapOperation.forward(x1);
      if (this.fusionConv && this.fusionBn) {
        this.fusionConv.layers.forEach((conv, i) => {
          x2 = tf.add(x2, this.fusionBn!.layers[i]!.forward(conv.forward(x1)));
        });
      }
      return this.relu.forward(x2);
    });
  }

  /**
   * The reference code's get_equivalent_kernel_bias: the cheap conv with its BN folded, plus every fusion branch as a
   * centre tap scaled by its BN (PyTorch layout, eval-mode statistics). The caller owns the tensors.
   */
  equivalentKernelBias(): KernelBias {
    if (this.deployed || !(this.cheapOperation instanceof Sequential)) {
      throw new Error('RepGhostModule.equivalentKernelBias: the module is already deployed');
    }
    const [conv, bn] = this.cheapOperation.layers as [Conv2d, BatchNorm2d];
    const parts = [foldConvBn(conv, bn)];
    this.fusionBn!.layers.forEach((norm) => parts.push(foldIdentityBn(this.oup, this.dwSize, norm instanceof BatchNorm2d ? norm : null)));
    return sumKernelBias(parts);
  }

  /**
   * Folds the BN branches into one depthwise conv with bias (the reference code's switch_to_deploy): cheap_operation
   * becomes that conv, fusion_conv / fusion_bn disappear. Eval outputs are unchanged; 3*oup fewer parameters
   * with the default branches (two BNs of 2*oup go, a bias of oup comes). Idempotent.
   */
  switchToDeploy(): void {
    if (this.deployed) return;
    const old = this.cheapOperation as Sequential;
    const hasBranches = this.fusionConv!.layers.length > 0 || this.fusionBn!.layers.length > 0;
    if (hasBranches) {
      const { weight, bias } = this.equivalentKernelBias();
      const deployed = new Conv2d(this.oup, this.oup, this.dwSize, { padding: Math.floor(this.dwSize / 2), groups: this.oup, bias: true });
      deployed.loadStateDict(new Map<string, tf.Tensor>([['weight', weight], ['bias', bias]]));
      weight.dispose();
      bias.dispose();
      old.dispose();
      this.cheapOperation = deployed;
      this.setModule('cheap_operation', deployed);
      this.fusionConv!.dispose();
      this.fusionBn!.dispose();
      this.fusionConv = null;
      this.fusionBn = null;
      this.setModule('fusion_conv', null);
      this.setModule('fusion_bn', null);
    }
    // the reference code leaves a module without branches as it is (cheap_operation keeps its BN; fuse() folds that)
    this.deployed = hasBranches;
  }

  /**
   * Conv+BN folding for inference: the primary conv's BN, and the cheap conv's BN when the module has no
   * branches to re-parameterise (with branches, {@link RepGhostModule.switchToDeploy} folds it, so `fuse()`
   * before or after it is safe).
   */
  fuse(): void {
    fuseSequentialBn(this.primaryConv, 1);
    const branches = (this.fusionConv?.layers.length ?? 0) + (this.fusionBn?.layers.length ?? 0);
    if (branches === 0 && this.cheapOperation instanceof Sequential) fuseSequentialBn(this.cheapOperation, 1);
  }
}
