import type { ScaffoldContext } from './context.js';
import { configName } from './tests.js';

/**
 * The starter's PyTorch fixture: core's fixture of the ultralytics block the starter computes exactly (Conv for
 * the conv and fixed rules, C2f for repeat), renamed to the new token. It is a real reference from the first
 * commit; replace it with fixtures of your module (reference/README.md says how they are made).
 */
export function starterFixture(ctx: ScaffoldContext): { core: string; name: string } {
  const core = ctx.rule === 'repeat' ? 'C2f_32_32_n2_sc' : 'Conv_16_32_k3_s2';
  return { core, name: `${ctx.token}_${core.slice(core.indexOf('_') + 1)}` };
}

/** `<case>.json` of the starter's fixture: core's, with the token as its module. */
export function starterFixtureJson(ctx: ScaffoldContext, coreJson: string, source: string): string {
  const meta = JSON.parse(coreJson) as Record<string, unknown>;
  const out = { module: ctx.token, ...Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'module')), source };
  return `${JSON.stringify(out, null, 1)}\n`;
}

/** Width of yolov8's scale n (fixed-rule rows are written at the channels yolov8n has there). */
const N_WIDTH = 0.25;

/**
 * fixtures/models/yolov8-<Token>.yaml from yolov8.yaml (with its tiny scale t): the token in place of the strided
 * Convs after the stem (rows 1, 3, 5, 7, 16, 19) for the conv and fixed rules, or of every C2f for repeat. A
 * fixed-rule token takes c2 as written, so its rows carry yolov8n's channels and the config is yolov8n at n.
 */
export function starterConfig(ctx: ScaffoldContext, yolov8: string): string {
  let row = -1;
  const lines = yolov8.split('\n').map((line) => {
    if (!/^\s+- \[/.test(line)) return line;
    row++;
    if (ctx.rule === 'repeat') return line.replace(/, C2f, \[/, `, ${ctx.token}, [`);
    const m = /^(\s+- \[-1, 1, )Conv, \[(\d+), 3, 2\]\](.*)$/.exec(line);
    if (!m || row === 0) return line;
    const c2 = ctx.rule === 'fixed' ? Math.ceil((Number(m[2]) * N_WIDTH) / 8) * 8 : Number(m[2]);
    return `${m[1]}${ctx.token}, [${c2}, 3, 2]]${m[3]}`;
  });
  const what = ctx.rule === 'repeat' ? 'every C2f' : 'the strided Convs after the stem (rows 1, 3, 5, 7, 16, 19)';
  const note = ctx.rule === 'fixed' ? ' (rule fixed: c2 as written, at the channels yolov8n has, so use it at scale n)' : '';
  return `# ${configName(ctx)}: yolov8.yaml with ${ctx.token} in place of ${what}${note}\n${lines.join('\n')}`;
}
