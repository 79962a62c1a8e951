import { parse as parseYaml } from 'yaml';

/** Class names from a list or an ultralytics `{index: name}` mapping; undefined for anything else. */
export function namesFromValue(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (!v || typeof v !== 'object') return undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length || !entries.every(([k]) => /^\d+$/.test(k))) return undefined;
  const out: string[] = [];
  for (const [k, name] of entries) out[Number(k)] = String(name);
  return Array.from(out, (n, i) => n ?? `class${i}`);
}

/**
 * Class names from a names file's text, by its kind: `yaml` (an ultralytics data YAML: its `names:` list or
 * mapping, or a bare list), `json` (a list, a mapping or an object with `names`), `text` (one name per
 * non-empty line). Errors name `source`.
 */
export function parseClassNames(text: string, kind: 'yaml' | 'json' | 'text', source: string): string[] {
  if (kind === 'text') {
    const names = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (!names.length) throw new Error(`${source}: no class names in it (one per line)`);
    return names;
  }
  let doc: unknown;
  try {
    doc = kind === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${source}: not valid ${kind.toUpperCase()} (${(e as Error).message})`);
  }
  const names = namesFromValue(doc) ?? (doc && typeof doc === 'object' ? namesFromValue((doc as Record<string, unknown>).names) : undefined);
  if (!names?.length) throw new Error(`${source}: no class names in it (a 'names:' list or {index: name} mapping, as ultralytics' data YAML has)`);
  return names;
}
