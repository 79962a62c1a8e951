/** Python 3's round(x) to an integer: half to even (`round(2.5) == 2`, `round(3.5) == 4`). */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
