import type { Detection } from './detection.js';
import { pyRound } from '@plugconv/core';

/**
 * ultralytics' scale_boxes (8.4): maps detections from the letterboxed frame (`from` = [height, width]) back to
 * the original image (`to`): gain = min(h1/h0, w1/w0), pad = round((w1 - round(w0*gain))/2 - 0.1) (and for y:
 * the padding the letterbox added around the resized image), subtract the pad, divide by the gain (float32, as
 * torch), then clip_boxes to the image. Returns new detections.
 */
export function scaleBoxes(from: [number, number], dets: Detection[], to: [number, number]): Detection[] {
  const [h1, w1] = from;
  const [h0, w0] = to;
  const gain = Math.min(h1 / h0, w1 / w0);
  const padX = pyRound((w1 - pyRound(w0 * gain)) / 2 - 0.1);
  const padY = pyRound((h1 - pyRound(h0 * gain)) / 2 - 0.1);
  const g = Math.fround(gain);
  const f = (v: number, pad: number, hi: number) => Math.min(Math.max(Math.fround(Math.fround(v - pad) / g), 0), hi);
  return dets.map((d) => ({ ...d, box: [f(d.box[0], padX, w0), f(d.box[1], padY, h0), f(d.box[2], padX, w0), f(d.box[3], padY, h0)] }));
}
