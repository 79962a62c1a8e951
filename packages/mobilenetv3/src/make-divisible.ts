/**
 * torchvision's `_make_divisible(v, divisor=8, min_value=None)`: the nearest multiple of `divisor` (halves
 * round up), at least `divisor` (or `minValue`), bumped by one `divisor` if rounding lost more than 10%.
 * MobileNetV3's SE squeeze width is `makeDivisibleTv(exp // 4)`.
 */
export function makeDivisibleTv(v: number, divisor = 8, minValue: number = divisor): number {
  let n = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}
