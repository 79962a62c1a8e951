import * as tf from '@tensorflow/tfjs-core';

/**
 * x[b, idx[b, j], ...] for x (B, A, ...) and int32 idx (B, k): a gather on the flattened batch (tf.gather with
 * batchDims gives wrong rows after the first on the wasm backend, tfjs 4.22).
 */
function gatherPerImage(x: tf.Tensor, idx: tf.Tensor): tf.Tensor {
  const [b, a, ...rest] = x.shape as number[];
  const k = idx.shape[1]!;
  const offsets = tf.mul(tf.range(0, b!, 1, 'int32'), a!);
  const flat = tf.cast(tf.reshape(tf.add(tf.cast(idx, 'int32'), tf.reshape(offsets, [b!, 1])), [-1]), 'int32');
  return tf.reshape(tf.gather(tf.reshape(x, [b! * a!, ...rest]), flat), [b!, k, ...rest]);
}

/**
 * ultralytics' end-to-end postprocess (Detect.postprocess with get_topk_index), no NMS: from decoded
 * predictions (B, A, 4 + nc) = [x1, y1, x2, y2, class scores...], k = min(maxDet, A) rows per image,
 * (B, k, 6) = [x1, y1, x2, y2, score, class]. See {@link topkFromParts}, which it calls on the two parts.
 */
export function topkDetections(preds: tf.Tensor, nc: number, maxDet = 300): tf.Tensor {
  return tf.tidy(() => {
    const [boxes, scores] = tf.split(preds, [4, nc], 2);
    return topkFromParts(boxes!, scores!, maxDet);
  });
}

/**
 * {@link topkDetections} on boxes (B, A, 4) and class scores (B, A, nc) given apart (as the head decodes them;
 * no split of a joined tensor). The k anchors with the best class score are kept (best first), then the k best
 * (anchor, class) pairs among their k * nc scores, best first; a pair's box is its anchor's (an anchor may appear
 * once per class). Equal scores may be ordered differently from PyTorch's topk, which orders ties by no
 * documented rule. Everything stays on the backend (no read-back).
 */
export function topkFromParts(boxes: tf.Tensor, scores: tf.Tensor, maxDet = 300): tf.Tensor {
  return tf.tidy(() => {
    const [b, a, nc] = scores.shape as number[];
    const k = Math.min(maxDet, a!);
    const anchors = tf.topk(tf.max(scores, 2), k).indices; // (B, k)
    const kept = tf.reshape(gatherPerImage(scores, anchors), [b!, k * nc!]); // (B, k * nc)
    const best = tf.topk(kept, k);
    const cls = tf.mod(best.indices, nc!);
    // floorDiv of int32 gives float32 on wasm: gatherPerImage casts the indices
    const idx = tf.reshape(gatherPerImage(tf.expandDims(anchors, 2), tf.floorDiv(best.indices, nc!)), [b!, k]); // (B, k) original anchors
    const picked = gatherPerImage(boxes, idx); // (B, k, 4)
    return tf.concat([picked, tf.expandDims(best.values, 2), tf.expandDims(tf.cast(cls, 'float32'), 2)], 2);
  });
}
