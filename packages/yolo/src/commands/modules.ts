import type { Command } from 'commander';
import { registry } from '../registry.generated.js';

/** `plugconv modules`: every registered YAML token with its channel rule and package. */
export function registerModules(program: Command): void {
  program
    .command('modules')
    .description('list every registered module with its channel rule and package')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const specs = registry.all();
      if (opts.json) {
        console.log(JSON.stringify(specs.map((s) => ({ name: s.name, rule: s.rule, package: s.package, summary: s.summary, args: s.signature.map((a) => a.name) }))));
        return;
      }
      const w = Math.max(...specs.map((s) => s.name.length)) + 2;
      const pw = Math.max(...specs.map((s) => s.package.length)) + 2;
      console.log(`${'module'.padEnd(w)}${'rule'.padEnd(8)}${'package'.padEnd(pw)}summary`);
      for (const s of specs) console.log(`${s.name.padEnd(w)}${s.rule.padEnd(8)}${s.package.padEnd(pw)}${s.summary}`);
    });
}
