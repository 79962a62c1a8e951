// dist/gradients.js: tfjs-core's gradient registrations (dist/register_all_gradients.js and the gradient files it
// imports) as one ESM file plain Node and bundlers load, that registers into the application's own tfjs-core.
//
// tfjs-core ships those files as extensionless ESM only a bundler resolves, and they import tfjs internals
// (`../engine`, `../tensor`, `../ops/mul`, ...). Bundling the internals gives a second copy of tfjs-core's
// module state (its Tensor class, its engine hooks), and whichever copy loads first wins the globals tfjs shares:
// importing the gradients before tfjs-core then crashed every op ("Cannot read properties of null (reading
// 'clone')"). So nothing stateful is copied. Every import of an internal module is rewritten to
// `@tensorflow/tfjs-core`'s public entry, which stays external (the application's one instance):
//   - names the public entry exports as they are (`mul`, `Abs`, `registerGradient`, `op`, `env`, ...);
//   - names of internal helper modules the public entry exports as a namespace (`util`, `broadcast_util`,
//     `slice_util`, `backend_util` for the axis, conv and selu helpers);
//   - `ENGINE` (tfjs' engine singleton) is the public `engine()`, and `getGlobalTensorClass()` the public `Tensor`.
// What is left is copied: the gradient files and the few backprop ops they call that tfjs does not export
// (`avgPoolGrad`, `conv2DBackpropFilter`, ...), which hold no state. The build fails, naming the module, if an
// import cannot be rewritten, or if a module with state would be copied.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const PUBLIC = '@tensorflow/tfjs-core';
const core = dirname(require.resolve(`${PUBLIC}/package.json`));
const dist = join(core, 'dist');
const publicApi = require(PUBLIC);
const publicNames = new Set(Object.keys(publicApi));

/** Internal helper modules (relative to dist, no extension) whose exports the public entry has as a namespace. */
const NAMESPACES = {
  util: 'util',
  util_base: 'util',
  'ops/broadcast_util': 'broadcast_util',
  'ops/slice_util': 'slice_util',
  'ops/axis_util': 'backend_util',
  'ops/conv_util': 'backend_util',
  'ops/selu_util': 'backend_util',
};

/** Internal bindings with state, and the public API that gives the application's instance of each. */
const STATEFUL = {
  engine: { ENGINE: `${PUBLIC}.engine()` },
  tensor: { getGlobalTensorClass: `() => ${PUBLIC}.Tensor` },
};

/** Modules that may be copied: the gradients and stateless ops and helpers. Anything else fails the build. */
const COPYABLE = /^(register_all_gradients|gradients\/[A-Za-z0-9_]+|ops\/[a-z0-9_]+_(grad|backprop(_input|_filter)?)|ops\/(conv2d|conv3d|depthwise_conv2d_native)_backprop_(input|filter)|tensor_util_env|types)$/;

const fail = (msg) => {
  throw new Error(`bundle-gradients: ${msg}`);
};

/** The module an import specifier of `from` names, relative to tfjs-core's dist, without extension. */
const internal = (from, spec) => relative(dist, join(dirname(from), spec)).replace(/\.js$/, '');

/**
 * Rewrites the imports of one tfjs-core module: every name the public entry provides comes from it; the rest
 * stays a relative import (and is copied, if COPYABLE allows).
 */
function rewrite(file) {
  const self = relative(dist, file).replace(/\.js$/, '');
  if (!COPYABLE.test(self)) fail(`would copy tfjs-core's ${self}.js, which is not known to be stateless; rewrite its imports instead`);
  let pub = 0;
  const head = [];
  const text = readFileSync(file, 'utf8').replace(/^import\s+(?:\*\s+as\s+(\w+)|\{([^}]*)\})\s+from\s+'(\.[^']*)';$/gm, (line, ns, names, spec) => {
    const mod = internal(file, spec);
    const nsName = NAMESPACES[mod];
    if (ns) {
      if (!nsName) fail(`${self}.js: \`import * as ${ns}\` of ${mod} has no public namespace`);
      head.push(`const ${ns} = __tf.${nsName};`);
      return '';
    }
    const keep = [];
    for (const item of names.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, local = name] = item.split(/\s+as\s+/);
      const stateful = STATEFUL[mod]?.[name];
      if (stateful) head.push(`const ${local} = ${stateful.replace(PUBLIC, '__tf')};`);
      else if (STATEFUL[mod]) fail(`${self}.js imports ${name} from tfjs-core's ${mod}.js, which holds state and has no public equivalent here`);
      else if (nsName && name in publicApi[nsName]) head.push(`const ${local} = __tf.${nsName}.${name};`);
      else if (!nsName && publicNames.has(name)) head.push(`const ${local} = __tf.${name};`);
      else keep.push(item);
      if (!keep.includes(item)) pub++;
    }
    return keep.length ? `import { ${keep.join(', ')} } from '${spec}';` : '';
  });
  if (/^import\s+'/m.test(text)) fail(`${self}.js has a side-effect import`);
  return (pub ? `import * as __tf from '${PUBLIC}';\n` : '') + head.join('\n') + '\n' + text;
}

const result = await build({
  entryPoints: [join(dist, 'register_all_gradients.js')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  outfile: 'dist/gradients.js',
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
  external: [PUBLIC],
  plugins: [
    {
      name: 'tfjs-core-public-entry',
      setup(b) {
        b.onResolve({ filter: /^\./ }, (args) => (args.importer.startsWith(dist) ? { path: `${join(args.resolveDir, args.path)}.js` } : undefined));
        b.onLoad({ filter: /\.js$/ }, (args) => (args.path.startsWith(dist) ? { contents: rewrite(args.path), loader: 'js', resolveDir: dirname(args.path) } : undefined));
      },
    },
  ],
});

const copied = Object.keys(result.metafile.inputs).map((p) => relative(dist, p).replace(/\.js$/, ''));
const imports = Object.values(result.metafile.outputs)[0].imports.map((i) => i.path);
if (imports.some((p) => p !== PUBLIC)) fail(`the bundle imports ${imports.join(', ')}; only ${PUBLIC} may stay external`);
writeFileSync('dist/gradients.d.ts', "// Registers tfjs-core's gradient functions (needed to train).\nexport {};\n");
console.log(`bundle-gradients: dist/gradients.js registers into ${PUBLIC}'s public entry; copied ${copied.length} stateless modules (${copied.filter((c) => !c.startsWith('gradients/')).join(', ')} besides the gradients)`);
