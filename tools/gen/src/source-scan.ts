import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Node, Project, SyntaxKind, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';

/** Parses TypeScript text without type checking or touching the disk beyond what is passed in. */
export function parseSource(path: string, text: string): SourceFile {
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true });
  return project.createSourceFile(path, text, { overwrite: true });
}

/** The `.ts` source a relative `.js` import points to, if it exists. */
function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Whether a module file exports a binding named `modules` (the ModuleSpec[] a module package declares):
 * `export const modules`, `export { x as modules }`, `export { modules } from './spec.js'`, or through an
 * `export * from './x.js'` of a file in the same package. Syntactic: nothing is type-checked or imported.
 */
export function exportsModules(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file) || !existsSync(file)) return false;
  seen.add(file);
  const sf = parseSource(file, readFileSync(file, 'utf8'));
  for (const st of sf.getStatements()) {
    if (Node.isVariableStatement(st) && st.isExported()) {
      if (st.getDeclarations().some((d) => d.getName() === 'modules')) return true;
    } else if ((Node.isFunctionDeclaration(st) || Node.isClassDeclaration(st)) && st.isExported() && st.getName() === 'modules') {
      return true;
    } else if (Node.isExportDeclaration(st) && !st.isTypeOnly()) {
      const named = st.getNamedExports();
      if (named.some((s) => !s.isTypeOnly() && (s.getAliasNode()?.getText() ?? s.getName()) === 'modules')) return true;
      const spec = st.getModuleSpecifierValue();
      if (!st.hasNamedExports() && !st.getNamespaceExport() && spec) {
        const target = resolveRelative(file, spec);
        if (target && exportsModules(target, seen)) return true;
      }
    }
  }
  return false;
}

/** A YAML token found in a module spec. */
export interface FoundToken {
  token: string;
  /** File it is declared in. */
  file: string;
}

const SPEC_KEYS = ['rule', 'package', 'summary', 'signature', 'create'];

/** The string a property's initializer evaluates to, when it is a literal or a const of this file. */
function stringValue(sf: SourceFile, init: Node | undefined): string | undefined {
  if (!init) return undefined;
  if (Node.isStringLiteral(init) || Node.isNoSubstitutionTemplateLiteral(init)) return init.getLiteralValue();
  if (Node.isIdentifier(init)) {
    const decl = sf.getVariableDeclaration(init.getText());
    return stringValue(sf, decl?.getInitializer());
  }
  if (Node.isAsExpression(init) || Node.isSatisfiesExpression(init) || Node.isParenthesizedExpression(init)) return stringValue(sf, init.getExpression());
  return undefined;
}

/** Object literals shaped like a ModuleSpec: a `name` and at least two of rule/package/summary/signature/create. */
function specName(sf: SourceFile, obj: ObjectLiteralExpression): string | undefined {
  const keys = new Set(obj.getProperties().flatMap((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p) || Node.isMethodDeclaration(p) ? [p.getName()] : [])));
  if (!keys.has('name') || SPEC_KEYS.filter((k) => keys.has(k)).length < 2) return undefined;
  const prop = obj.getProperty('name');
  return prop && Node.isPropertyAssignment(prop) ? stringValue(sf, prop.getInitializer()) : undefined;
}

/** The YAML tokens (ModuleSpec `name`s) declared in one TypeScript file. */
export function tokensInSource(file: string, text: string): FoundToken[] {
  if (!/\bname\s*:/.test(text)) return [];
  const sf = parseSource(file, text);
  const out: FoundToken[] = [];
  for (const obj of sf.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression)) {
    const token = specName(sf, obj);
    if (token !== undefined) out.push({ token, file });
  }
  return out;
}

/** Every `.ts` file under a folder (declarations and tests excluded), sorted. */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.includes('.test.')) out.push(p);
  }
  return out;
}
