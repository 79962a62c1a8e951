#!/usr/bin/env node
// Writes the generated pages of the docs site into docs/generated/ (gitignored; typedoc picks them up through
// typedoc.json's projectDocuments), from the code, after `pnpm build`:
//   README.md            the site's front page: the root README with its links pointed at the site's pages
//   yaml-reference.md    every registered YAML token with its channel rule, signature and package (the registry)
//   modules/<pkg>.md     one card per module package: what it is and the papers (its README), its tokens, YAML
//                        rows from the shipped configs, and params / gradients / GFLOPs at n, s and m of every
//                        shipped config that uses it, next to its family's base config (yolov8.yaml for the
//                        yolov8-* variants, yolo11.yaml for yolo11-*, ...) (summarize(), counted now)
//   zoo.md + zoo/        the zoo report: the table and chart `pnpm start` wrote into runs/zoo/ (git-ignored), copied
//                        into docs/generated/zoo/ so the site carries its own figure
// Without runs/zoo/zoo.svg (a fresh clone), the zoo page gets a quick run instead: every shipped config at scale n,
// 128x128, one timed run (a few seconds), into docs/generated/zoo/, labelled as such on the page; real figures
// and latencies, not the report. PLUGCONV_DOCS_ZOO=off skips it: the page then says the report is missing.
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'generated');
const yoloDir = join(root, 'packages', 'yolo');
const t0 = Date.now();

function die(msg) {
  console.error(`gen-docs: ${msg}`);
  process.exit(2);
}

for (const f of ['packages/yolo/dist/index.js', 'packages/yolo/dist/node-backends.js', 'packages/core/dist/index.js']) {
  if (!existsSync(join(root, f))) die(`${f} is missing: run \`pnpm build\` first (\`pnpm run docs\` does)`);
}
const requireFromYolo = createRequire(join(yoloDir, 'package.json'));
const load = (spec) => import(pathToFileURL(requireFromYolo.resolve(spec)).href);
const core = await load('@plugconv/core');
const coreNode = await load('@plugconv/core/node');
const yolo = await import(pathToFileURL(join(yoloDir, 'dist/index.js')).href);
const { useNodeBackend } = await import(pathToFileURL(join(yoloDir, 'dist/node-backends.js')).href);
await useNodeBackend('wasm'); // builds (weight init) and the shape-only counting probes: wasm is several times faster than cpu

const { registry, shippedConfigs, loadModel, CONFIG_DIR, familyBase } = yolo;
const specs = registry.all();
const SCALES = ['n', 's', 'm'];
const fmt = (n) => n.toLocaleString('en-US');
const pct = (a, b) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
const esc = (s) => String(s).replace(/\|/g, '\\|');

// ---------------------------------------------------------------------------------------------------- configs
/** Per shipped config: its tokens and its YAML rows as written (text lines with the token). */
const configs = shippedConfigs().map((file) => {
  const cfg = coreNode.loadYoloConfig(join(CONFIG_DIR, file));
  const tokens = new Set([...cfg.backbone, ...cfg.head].map((r) => r[2]));
  const lines = readFileSync(join(CONFIG_DIR, file), 'utf8').split('\n');
  return { file, name: file.replace(/\.yaml$/, ''), tokens, lines };
});

/** YAML rows of the shipped configs that use `token` (up to `max`), as `file: line`. */
function yamlRows(token, max = 3) {
  const rows = [];
  const re = new RegExp(`^\\s*- \\[.*[,\\[]\\s*${token.replace(/\./g, '\\.')}\\s*,`);
  for (const c of configs) {
    for (const line of c.lines) {
      if (re.test(line)) {
        rows.push({ file: c.file, line: line.replace(/\s+#.*$/, '').trim() });
        break; // one row per config
      }
    }
    if (rows.length >= max) break;
  }
  return rows;
}

const summaries = new Map();
/** summarize() of a shipped config at a scale (cached). */
function figures(file, scale) {
  const key = `${file}@${scale}`;
  if (!summaries.has(key)) {
    const model = loadModel(file, { scale, warn: () => {} });
    try {
      summaries.set(key, core.summarize(model));
    } finally {
      model.dispose();
    }
  }
  return summaries.get(key);
}

// ---------------------------------------------------------------------------------------------- signatures
/** How the YAML row's args list reads for a spec (what the user writes after the module name). */
function yamlArgs(spec) {
  const sig = spec.signature.map((a) => `${a.name}${a.optional ? '?' : ''}`);
  switch (spec.rule) {
    case 'conv':
      return `[${sig.slice(1).join(', ')}]`; // c1 comes from the input
    case 'repeat':
      return `[${[sig[1], ...sig.slice(3)].join(', ')}]`; // c1 from the input, n from the row's repeats
    case 'fixed':
      return `[${sig.slice(1).join(', ')}]`;
    case 'detect': {
      // the rule appends the YAML's top-level reg_max and end2end and the inputs' channels to what the row writes
      const required = spec.signature.filter((a) => !a.optional).map((a) => a.name);
      return `[${required.slice(0, -DETECT_APPENDED).join(', ')}]`;
    }
    default:
      return `[${sig.join(', ')}]`;
  }
}
/** The build rules a spec declares besides its channel rule (`buildArgs`, `modernHead`), for the tables. */
const buildRules = (spec) => [spec.buildArgs ? '`buildArgs`' : '', spec.modernHead ? '`modernHead`' : ''].filter(Boolean).join(', ');
/** How many arguments the `detect` rule appends to a head row's own: reg_max, end2end, the inputs' channels. */
const DETECT_APPENDED = 3;
const constructorCall = (spec) => `${spec.name}(${spec.signature.map((a) => `${a.name}${a.optional ? '?' : ''}: ${a.type}${a.nullable ? ' | None' : ''}`).join(', ')})`;

const RULES = {
  conv: 'c1 = the input\'s channels; c2 = args[0] x width (capped by max_channels, rounded up to a multiple of 8; ultralytics 8.2 kept a c2 equal to `nc` as is, 8.4 scales it too); the module gets (c1, c2, ...args[1:]). A drop-in for `Conv`.',
  repeat: 'as `conv`, and the row\'s repeats (x depth, rounded) go in as the third argument n; the row builds one module. A drop-in for `C2f`.',
  fixed: 'c1 = the input\'s channels; c2 = args[0] as written at every scale; the module gets (c1, ...args).',
  concat: 'c2 = the sum of the inputs\' channels; args unchanged.',
  same: 'c2 = c1; args unchanged.',
  detect: 'the YAML\'s top-level `reg_max` (default 16) and `end2end` (default false) and the inputs\' channels (a list) are appended; c2 is not used further.',
};

// ------------------------------------------------------------------------------------------------ writers
function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}
const front = (fields) => `---\n${Object.entries(fields).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n')}\n---\n\n`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// the packages that provide module tokens, other than core
const byPackage = new Map();
for (const s of specs) {
  if (!byPackage.has(s.package)) byPackage.set(s.package, []);
  byPackage.get(s.package).push(s);
}
const modulePackages = [...byPackage.keys()].filter((p) => p !== '@plugconv/core').sort();
const folderOf = (pkg) => pkg.replace(/^@plugconv\//, '');
const cardPath = (pkg) => `modules/${folderOf(pkg)}.md`;

// ------------------------------------------------------------------------------------------ YAML reference
{
  const lines = [
    front({ title: 'YAML reference', group: 'Guides', category: 'Reference' }),
    '# YAML reference',
    '',
    'plugconv reads ultralytics\' detection YAMLs (YOLOv8, YOLO11, YOLO12, YOLO26): `nc`, `scales` (letter: `[depth, width,',
    'max_channels]`), optional `activation`, and `backbone` / `head` rows `[from, repeats, module, args]`. `from` is -1 (the',
    'previous row), an earlier row\'s index, or a list of them; strings in args are Python literals (`None`, `True`, `nc`).',
    'A scale comes from the file name (`yolo11n.yaml` = `yolo11.yaml` at scale n, `yolo26s-p2.yaml` = `yolo26-p2.yaml` at s)',
    'or `--scale`; without either, the first listed scale, with a warning.',
    '',
    'Top-level keys of ultralytics 8.4 and plugconv:',
    '',
    '| key | default | what |',
    '|---|---|---|',
    '| `reg_max` | 16 | DFL bins of every detection head; 1 = no DFL, box distances regressed directly (YOLO26) |',
    '| `end2end` | false | detection heads get one-to-one branches and output the top 300 detections `[x1, y1, x2, y2, score, class]`, no NMS (YOLO26) |',
    '| `ultralytics` | 8.4 | plugconv\'s key (ultralytics ignores it): build with ultralytics 8.2\'s semantics (`8.2`, or a release such as `8.2.82`) for weights trained before 8.4; `--ultralytics` and `BuildOptions.ultralytics` override it |',
    '',
    'Each module declares how a row becomes constructor arguments: its **channel rule**. The parser has no',
    'per-module code, so a new module only needs its spec (see [Writing your own module](../guides/writing-a-module.md)).',
    '',
    '| rule | what the parser does |',
    '|---|---|',
    ...Object.entries(RULES).map(([r, d]) => `| \`${r}\` | ${esc(d)} |`),
    '',
    'A spec may also declare **build rules** (the "build" column below): `buildArgs` changes the arguments by scale or',
    'semantics as ultralytics\' parse_model does for that module (C3k2\'s `c3k` at m, l and x; A2C2f\'s `residual` and',
    '`mlp_ratio` at l and x), and `modernHead` makes every later detection head the current (depthwise class branch) one.',
    '',
    `## Registered tokens (${specs.length})`,
    '',
    'Generated from `@plugconv/yolo`\'s registry (`pnpm plugconv modules` prints the same list). "YAML args" is',
    'what a row writes after the module name (`?`: may be left out); "constructor" is what the module receives.',
    '',
    '| token | rule | build | package | YAML args | constructor | what it is |',
    '|---|---|---|---|---|---|---|',
    ...specs.map((s) => {
      const pkg = s.package === '@plugconv/core' ? '`@plugconv/core`' : `[\`${s.package}\`](${cardPath(s.package)})`;
      return `| \`${esc(s.name)}\` | \`${s.rule}\` | ${buildRules(s)} | ${pkg} | \`${esc(yamlArgs(s))}\` | \`${esc(constructorCall(s))}\` | ${esc(s.summary)} |`;
    }),
    '',
    '## Rows from the shipped configs',
    '',
    'One row per token as a shipped config writes it (`packages/yolo/configs`; `plugconv info <config>` builds any of them).',
    '',
    ...specs.flatMap((s) => {
      const rows = yamlRows(s.name, 1);
      return rows.length ? [`- \`${s.name}\` (${rows[0].file}): \`${rows[0].line.replace(/\s+#.*$/, '')}\``] : [`- \`${s.name}\`: no shipped config uses it`];
    }),
    '',
  ];
  write(join(out, 'yaml-reference.md'), lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------- module cards
/** The README's text before its first `##` heading (without the `#` title), and every arXiv link in it. */
function readmeParts(folder) {
  const path = join(root, 'packages', folder, 'README.md');
  if (!existsSync(path)) return { intro: null, papers: [] };
  const text = readFileSync(path, 'utf8');
  const body = text.replace(/^# .*\n+/, '');
  const cut = body.search(/^## /m);
  const intro = (cut >= 0 ? body.slice(0, cut) : body).trim();
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const papers = [];
  for (const m of flat.matchAll(/\[([^\]]+)\]\((https?:\/\/arxiv\.org\/[^)\s]+)\)/g)) {
    if (!papers.some((p) => p.url === m[2])) papers.push({ title: m[1], url: m[2] });
  }
  return { intro, papers };
}

/** A config's family base (yolo11.yaml for yolo11-C3k2-DSConv.yaml), what its card rows are compared with; null if not shipped. */
const baseOf = (c) => configs.find((b) => b.file === familyBase(c.file)) ?? null;
/** A config file name with a scale letter, as ultralytics reads it: yolo11-DSConv.yaml -> yolo11n-DSConv.yaml. */
const scaled = (file, scale) => file.replace(/^(.*?\d+)(?=[-_.])/, `$1${scale}`);
for (const pkg of modulePackages) {
  const folder = folderOf(pkg);
  const own = byPackage.get(pkg);
  const tokens = new Set(own.map((s) => s.name));
  const manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'));
  const { intro, papers } = readmeParts(folder);
  const using = configs.filter((c) => [...c.tokens].some((t) => tokens.has(t)));
  const lines = [
    front({ title: folder, group: 'Module cards' }),
    `# ${pkg}`,
    '',
    `> ${manifest.description}`,
    '',
    '## What it is',
    '',
    intro ?? `${manifest.description}. (The package has no README yet.)`,
    '',
    '## Papers',
    '',
    ...(papers.length ? papers.map((p) => `- [${p.title}](${p.url})`) : ['- see the package README']),
    '',
    `API reference: {@link "${pkg}"! | ${pkg}}. Install: \`npm install ${pkg} @plugconv/core @tensorflow/tfjs-core\`.`,
    '',
    '## YAML tokens',
    '',
    '| token | rule | build | YAML args | constructor | what it is |',
    '|---|---|---|---|---|---|',
    ...own.map((s) => `| \`${esc(s.name)}\` | \`${s.rule}\` | ${buildRules(s)} | \`${esc(yamlArgs(s))}\` | \`${esc(constructorCall(s))}\` | ${esc(s.summary)} |`),
    '',
    '## YAML usage',
    '',
  ];
  for (const s of own) {
    const rows = yamlRows(s.name, 3);
    if (rows.length) {
      lines.push(`\`${s.name}\` in the shipped configs:`, '', '```yaml', ...rows.map((r) => `${r.line.padEnd(48)} # ${r.file}`), '```', '');
    } else {
      lines.push(`\`${s.name}\` (no shipped config uses it; rule \`${s.rule}\`):`, '', '```yaml', `- [-1, 1, ${s.name}, ${yamlArgs(s).replace(/\?/g, '')}]`, '```', '');
    }
  }
  if (using.length) {
    lines.push(
      'With `@plugconv/yolo` installed, `npx plugconv info <config> --scale <s>` prints a config\'s summary line;',
      `\`npx plugconv info ${scaled(using[0].file, 'n')}\` for example.`,
      '',
      '## Figures',
      '',
      'Counted by `summarize()` when these docs were built (params, gradients, GFLOPs at 1x3x640x640, by',
      '[the FLOP rule](../../design.md#counting-flops-one-rule-for-every-op)), for every shipped config that uses the package, next to',
      'the base config of its family (yolov8, yolo11, ...) at the same scale.',
      '',
      '| config | scale | layers | params | gradients | GFLOPs | params vs base | GFLOPs vs base |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
    );
    // each family's base first, then the family's configs that use the package
    const rows = [];
    for (const c of using) {
      const base = baseOf(c);
      if (base && base !== c && !rows.includes(base)) rows.push(base);
      rows.push(c);
    }
    for (const c of rows) {
      const base = baseOf(c);
      for (const scale of SCALES) {
        const f = figures(c.file, scale);
        const b = base && base !== c ? figures(base.file, scale) : null;
        const vs = b ? [pct(f.params, b.params), pct(f.gflops, b.gflops)] : ['', ''];
        lines.push(`| ${c.name} | ${scale} | ${f.layers} | ${fmt(f.params)} | ${fmt(f.gradients)} | ${f.gflops.toFixed(2)} | ${vs[0]} | ${vs[1]} |`);
      }
    }
    lines.push('');
  } else {
    lines.push('## Figures', '', 'No shipped config uses this package yet, so there are no model figures.', '');
  }
  write(join(out, cardPath(pkg)), lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------------- zoo page
{
  const report = join(root, 'runs', 'zoo');
  const dir = join(out, 'zoo');
  const lines = [front({ title: 'Model zoo', group: 'Guides', category: 'Reference' })];
  /** The report's table and its explanation, without its title and its image line. */
  const reportBody = (path) => readFileSync(path, 'utf8').replace(/^# .*\n+/, '').replace(/^!\[[^\]]*\]\([^)]*\)\n+/m, '').trim();
  if (existsSync(join(report, 'zoo.svg'))) {
    mkdirSync(dir, { recursive: true });
    for (const f of ['zoo.svg', 'zoo.md', 'zoo.json']) if (existsSync(join(report, f))) copyFileSync(join(report, f), join(dir, f));
    lines.push('# Model zoo', '', `![latency against GFLOPs of every shipped config](zoo/zoo.svg)`, '');
    if (existsSync(join(dir, 'zoo.md'))) lines.push(reportBody(join(dir, 'zoo.md')), '');
    lines.push('Written by `pnpm start` (runs/zoo/: zoo.md, zoo.svg, zoo.json); the latencies were measured on the machine that ran it.', '');
  } else if (process.env.PLUGCONV_DOCS_ZOO !== 'off') {
    const { runZoo } = await import(pathToFileURL(join(yoloDir, 'dist/commands/zoo.js')).href);
    console.log('gen-docs: runs/zoo/zoo.svg not found (`pnpm start` writes it): the zoo page gets a quick run instead (scale n, 128x128, 1 run, wasm)');
    await runZoo({ scale: 'n', imgsz: 128, backend: 'wasm', runs: 1, out: dir });
    lines.push(
      '# Model zoo (quick run)',
      '',
      '> This is a quick run made while the docs were built (128x128 input, one timed run per model), not the',
      '> report: run `pnpm start` for the 640x640 report (runs/zoo/), then `pnpm run docs` again.',
      '',
      `![latency against GFLOPs of every shipped config, quick run](zoo/zoo.svg)`,
      '',
      reportBody(join(dir, 'zoo.md')).replace('Generated by `pnpm start`', 'Generated by `pnpm run docs` (quick run)'),
      '',
    );
  } else {
    console.warn('gen-docs: runs/zoo/zoo.svg not found and PLUGCONV_DOCS_ZOO=off, so the Model zoo page has no chart. Run `pnpm start` (writes runs/zoo/), then `pnpm run docs`.');
    lines.push(
      '# Model zoo',
      '',
      '> **The zoo report has not been run on this checkout**, so there is no chart here. `pnpm start` measures every',
      '> shipped config (params, GFLOPs, latency before and after `deploy()`) and writes runs/zoo/zoo.md and zoo.svg;',
      '> `pnpm run docs` then shows them on this page.',
      '',
    );
  }
  write(join(out, 'zoo.md'), lines.join('\n'));
}

// ----------------------------------------------------------------------------------------------- front page
{
  // the root README, with its relative links rewritten for docs/generated/README.md
  const text = readFileSync(join(root, 'README.md'), 'utf8').replace(/\]\((?!https?:|#|mailto:)([^)\s]+)\)/g, (_, target) => `](${relative(out, join(root, target))})`);
  const guides = readdirSync(join(root, 'docs', 'guides')).filter((f) => f.endsWith('.md'));
  const title = (f) => /^title:\s*(.+)$/m.exec(readFileSync(join(root, 'docs', 'guides', f), 'utf8'))?.[1] ?? /^# (.+)$/m.exec(readFileSync(join(root, 'docs', 'guides', f), 'utf8'))?.[1] ?? f;
  const site = [
    '',
    '## On this site',
    '',
    `- Guides: ${guides.map((f) => `[${title(f)}](../guides/${f})`).join(', ')}, [YAML reference](yaml-reference.md), [Model zoo](zoo.md)`,
    '- [Design](../design.md): the module system, parse and channel rules, the FLOP rule, the parity tolerance, ultralytics versions, the module contract',
    `- Module cards (what each module is, its paper, YAML usage and figures): ${modulePackages.map((p) => `[${p}](${cardPath(p)})`).join(', ')}`,
    '- API reference: one section per package in the navigation',
    '',
  ];
  // typedoc titles the page with the project name already: the README's own `# plugconv` goes
  write(join(out, 'README.md'), text.replace(/^# plugconv\n+/, '').replace(/\n## Packages\n/, `${site.join('\n')}\n## Packages\n`));
}

console.log(`gen-docs: wrote ${relative(root, out)}/ (yaml reference: ${specs.length} tokens; ${modulePackages.length} module cards; ${summaries.size} model summaries) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
