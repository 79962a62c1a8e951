// A checkpoint's YAML dict (model.yaml) written back as a YAML file laid out as ultralytics' own configs are:
// top-level keys in the dict's order, `scales` as a mapping of flow lists, one flow row per backbone/head line.

/** YAML words a plain scalar would turn into something else than a string. */
const RESERVED = /^(?:true|false|yes|no|on|off|null|~|y|n|\.nan|\.inf|-\.inf)$/i;

/** A string as a YAML scalar: plain when it reads back as the same string, else double-quoted (JSON). */
function scalar(s: string): string {
  return /^[A-Za-z_][\w.]*$/.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

/** A value in YAML flow style (`[-1, 1, Conv, [64, 3, 2]]`, `{a: 1}`). */
function flow(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return scalar(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : v < 0 ? '-.inf' : '.nan';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${scalar(k)}: ${flow(x)}`)
    .join(', ')}}`;
}

/** One key in block style: nested mappings indented, lists of rows one flow row per line, the rest flow. */
function block(key: string, v: unknown, indent: string): string[] {
  const head = `${indent}${scalar(key)}:`;
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
    return [head, ...Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => block(k, x, `${indent}  `))];
  }
  if (Array.isArray(v) && v.length && v.every(Array.isArray)) return [head, ...v.map((row) => `${indent}  - ${flow(row)}`)];
  return [`${head} ${flow(v)}`];
}

/**
 * The YAML text of a config dict (a checkpoint's `model.yaml`), with `comment` lines on top. It parses back to
 * the same dict (strings that YAML would read as something else are quoted).
 */
export function configYaml(dict: Record<string, unknown>, comment: string[] = []): string {
  const lines = [...comment.map((c) => `# ${c}`), ...Object.entries(dict).flatMap(([k, v]) => block(k, v, ''))];
  return `${lines.join('\n')}\n`;
}
