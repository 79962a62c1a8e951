/**
 * Integer helpers that layers and the parser share: the greatest common divisor and the two channel
 * roundings (ultralytics' and torchvision's), which differ and are named by whose they are.
 */

/** Greatest common divisor (non-negative; gcd(a, 0) = |a|). */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/**
 * ultralytics' `make_divisible(x, divisor)` = ceil(x / divisor) * divisor: the parser's channel rounding
 * (`makeDivisibleUltralytics(min(c2, max_channels) * width, 8)`). Always rounds up.
 */
export function makeDivisibleUltralytics(x: number, divisor = 8): number {
  return Math.ceil(x / divisor) * divisor;
}

/**
 * torchvision's `_make_divisible(v, divisor, min_value=None)` (MobileNet's, also GhostNet's and RepGhost's):
 * the nearest multiple of `divisor` (halves round up), at least `minValue` (default `divisor`), plus one
 * `divisor` when rounding lost more than 10% of `v`. MobileNetV3's SE squeeze width is
 * `makeDivisibleTorchvision(exp // 4, 8)`; RepGhost's is `makeDivisibleTorchvision(c * se_ratio, 4)`.
 */
export function makeDivisibleTorchvision(v: number, divisor = 8, minValue: number = divisor): number {
  const n = Math.max(minValue, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  return n < 0.9 * v ? n + divisor : n;
}
