import { ts } from 'ts-morph';
import { GenError } from './errors.js';
import { compareCodePoints } from './names.js';

type Container = ts.ObjectLiteralExpression | ts.ArrayLiteralExpression;

/** Parses JSON (comments and trailing commas allowed, as tsconfig.json) into TypeScript's JSON syntax tree. */
function parse(text: string, path: string): ts.JsonSourceFile & { parseDiagnostics?: ts.Diagnostic[] } {
  const sf = ts.parseJsonText(path, text) as ts.JsonSourceFile & { parseDiagnostics?: ts.Diagnostic[] };
  const diag = sf.parseDiagnostics?.[0];
  if (diag) throw new GenError(`${path}: not valid JSON (${ts.flattenDiagnosticMessageText(diag.messageText, ' ')})`);
  return sf;
}

function rootObject(sf: ts.JsonSourceFile, path: string): ts.ObjectLiteralExpression {
  const expr = sf.statements[0]?.expression;
  if (!expr || !ts.isObjectLiteralExpression(expr)) throw new GenError(`${path}: expected a JSON object at the top`);
  return expr;
}

function keyOf(p: ts.ObjectLiteralElementLike): string | undefined {
  return p.name && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name)) ? p.name.text : undefined;
}

function property(obj: ts.ObjectLiteralExpression, key: string): ts.PropertyAssignment | undefined {
  return obj.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && keyOf(p) === key);
}

function elements(c: Container): readonly ts.Node[] {
  return ts.isObjectLiteralExpression(c) ? c.properties : c.elements;
}

const lineStart = (text: string, pos: number) => text.lastIndexOf('\n', pos - 1) + 1;
const indentAt = (text: string, pos: number) => /^[ \t]*/.exec(text.slice(lineStart(text, pos)))![0];

/**
 * Inserts a member (`"key": value` or an array element) at `index` of an object or array, in the container's
 * own layout: one member per line with the existing indentation, or inline. Everything else is kept as it is.
 */
function insertMember(text: string, sf: ts.JsonSourceFile, c: Container, index: number, member: string): string {
  const items = elements(c);
  const open = c.getStart(sf) + 1;
  const close = c.getEnd() - 1;
  const splice = (pos: number, insert: string) => text.slice(0, pos) + insert + text.slice(pos);
  if (items.length === 0) {
    const inner = text.slice(open, close);
    if (!inner.includes('\n')) return text.slice(0, open) + (ts.isObjectLiteralExpression(c) ? ` ${member} ` : member) + text.slice(close);
    const outer = indentAt(text, c.getStart(sf));
    return text.slice(0, open) + `\n${outer}  ${member}\n${outer}` + text.slice(close);
  }
  const first = items[0]!;
  const multiline = text.slice(open, first.getStart(sf)).includes('\n');
  const indent = indentAt(text, first.getStart(sf));
  if (index < items.length) return splice(items[index]!.getStart(sf), multiline ? `${member},\n${indent}` : `${member}, `);
  const last = items[items.length - 1]!;
  const after = text.slice(last.getEnd(), close);
  const comma = /^\s*,/.exec(after);
  if (comma) return splice(last.getEnd() + comma[0].length, multiline ? `\n${indent}${member},` : ` ${member},`);
  return splice(last.getEnd(), multiline ? `,\n${indent}${member}` : `, ${member}`);
}

/** Index of the first member that sorts after `key` (code-point order), or the length. */
function sortedIndex(keys: (string | undefined)[], key: string): number {
  const i = keys.findIndex((k) => k !== undefined && compareCodePoints(k, key) > 0);
  return i < 0 ? keys.length : i;
}

/**
 * Adds `"name": "version"` to the `section` object of a package.json (created at the end when missing), in
 * name order, keeping the file's formatting. Idempotent: an existing entry is left as it is, whatever its version.
 */
export function addDependency(text: string, name: string, version: string, section = 'dependencies', path = 'package.json'): string {
  const sf = parse(text, path);
  const root = rootObject(sf, path);
  const prop = property(root, section);
  const member = `${JSON.stringify(name)}: ${JSON.stringify(version)}`;
  if (!prop) {
    const indent = root.properties.length ? indentAt(text, root.properties[0]!.getStart(sf)) : '  ';
    return insertMember(text, sf, root, root.properties.length, `${JSON.stringify(section)}: {\n${indent}${indent}${member}\n${indent}}`);
  }
  if (!ts.isObjectLiteralExpression(prop.initializer)) throw new GenError(`${path}: "${section}" is not an object`);
  const obj = prop.initializer;
  const keys = obj.properties.map(keyOf);
  if (keys.includes(name)) return text;
  return insertMember(text, sf, obj, sortedIndex(keys, name), member);
}

const normalizeRef = (p: string) => p.replace(/\\/g, '/').replace(/\/tsconfig\.json$/, '').replace(/\/+$/, '');

/**
 * Adds `{ "path": "<ref>" }` to a tsconfig's `references`, in path order, in the array's own layout.
 * Idempotent (`../x`, `../x/` and `../x/tsconfig.json` are the same reference). A tsconfig without
 * `references` is left unchanged: the repository does not use project references there.
 */
export function addReference(text: string, ref: string, path = 'tsconfig.json'): string {
  const sf = parse(text, path);
  const prop = property(rootObject(sf, path), 'references');
  if (!prop) return text;
  if (!ts.isArrayLiteralExpression(prop.initializer)) throw new GenError(`${path}: "references" is not an array`);
  const arr = prop.initializer;
  const paths = arr.elements.map((e) => {
    if (!ts.isObjectLiteralExpression(e)) return undefined;
    const p = property(e, 'path');
    return p && ts.isStringLiteral(p.initializer) ? normalizeRef(p.initializer.text) : undefined;
  });
  const want = normalizeRef(ref);
  if (paths.includes(want)) return text;
  return insertMember(text, sf, arr, sortedIndex(paths, want), `{ "path": ${JSON.stringify(want)} }`);
}

/**
 * Adds a string to the array `key` of a JSON file's top-level object (typedoc.json's entryPoints), in order,
 * keeping the layout. Idempotent; a file without that array is left unchanged.
 */
export function addArrayString(text: string, key: string, value: string, path = 'file.json'): string {
  const sf = parse(text, path);
  const prop = property(rootObject(sf, path), key);
  if (!prop) return text;
  if (!ts.isArrayLiteralExpression(prop.initializer)) throw new GenError(`${path}: "${key}" is not an array`);
  const arr = prop.initializer;
  const values = arr.elements.map((e) => (ts.isStringLiteral(e) ? e.text : undefined));
  if (values.includes(value)) return text;
  return insertMember(text, sf, arr, sortedIndex(values, value), JSON.stringify(value));
}
