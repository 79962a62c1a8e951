/** Python's round(): half to even. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  // Python returns an int: no negative zero (Math.round(-0.1) is -0)
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

/**
 * A YAML string argument as ultralytics reads it: a name of the parse scope (`nc`), Python literals (`None`,
 * `True`, `False`, numbers, lists) or, failing that, the string itself (`"nearest"`, `"RE"`).
 */
export function pyLiteral(s: string, scope: Record<string, unknown>): unknown {
  if (Object.prototype.hasOwnProperty.call(scope, s)) return scope[s];
  const t = s.trim();
  if (t === 'None') return null;
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[[(].*[\])]$/.test(t)) {
    try {
      return JSON.parse(t.replace(/^\(/, '[').replace(/\)$/, ']').replace(/\bNone\b/g, 'null').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false'));
    } catch {
      return s;
    }
  }
  return s;
}
