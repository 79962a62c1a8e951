// tfjs-core ships its gradient registrations (dist/register_all_gradients.js) as extensionless ESM that only a
// bundler can load; plain Node cannot import it. This bundles it into dist/gradients.js, one self-contained ESM
// file. The copy of tfjs internals it carries registers into tfjs's global registries (and tfjs's Tensor checks
// are duck-typed), so it serves whichever tfjs-core instance the application uses.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const core = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
await build({
  entryPoints: [join(core, 'dist/register_all_gradients.js')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  outfile: 'dist/gradients.js',
  logLevel: 'warning',
  legalComments: 'none',
});
writeFileSync('dist/gradients.d.ts', '// Registers tfjs-core\'s gradient functions (needed to train).\nexport {};\n');
