import type { Command } from 'commander';
import { basename } from 'node:path';
import { readCheckpointFile, writeFileAtomic } from '@plugconv/core/node';
import { checkpointSafetensors } from '../checkpoint-convert.js';
import { configYaml } from '../checkpoint-yaml.js';
import { requireFile } from '../checkpoint-file.js';
import { UsageError } from '../usage-error.js';

/** Options of `plugconv convert`. */
export interface ConvertOptions {
  out?: string;
  yaml?: string;
  half?: boolean;
}

/** `plugconv convert best.pt`: the checkpoint's weights as safetensors (and its YAML), written atomically. */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description("write an ultralytics checkpoint's weights as .safetensors (ultralytics keys, PyTorch layout) and, with --yaml, its model YAML")
    .argument('<checkpoint>', 'best.pt / last.pt (or a torch.save(state_dict) file)')
    .option('-o, --out <file>', 'the .safetensors to write (default: the checkpoint with .safetensors)')
    .option('--yaml <file>', "also write the model's YAML config, from the dict the checkpoint holds")
    .option('--half', 'keep floating tensors in fp16 (default: fp32)')
    .action((path: string, opts: ConvertOptions) => {
      requireFile(path);
      const out = opts.out ?? `${path.replace(/\.(pt|pth|ckpt)$/i, '')}.safetensors`;
      if (out === path) throw new UsageError(`--out ${out} would overwrite the checkpoint`);
      const ck = readCheckpointFile(path, { task: 'detect' });
      if (opts.yaml && !ck.yaml) {
        throw new UsageError(`${path} is a torch.save(state_dict) file: it holds tensors only, no YAML dict to write (--yaml needs a best.pt or last.pt)`);
      }
      const bytes = checkpointSafetensors(ck, { half: !!opts.half });
      writeFileAtomic(out, bytes);
      const wrote = [`${out} (${ck.stateDict.size} tensors, ${opts.half ? 'fp16' : 'fp32'}, ${(bytes.length / 2 ** 20).toFixed(2)} MB)`];
      if (opts.yaml) {
        const semantics = ck.semantics?.version;
        // plugconv's own `ultralytics` key: the semantics the weights were trained with (ultralytics ignores it)
        const dict = semantics ? { ...ck.yaml, ultralytics: semantics } : ck.yaml!;
        const comment = [
          `the model YAML saved in ${basename(path)}${ck.version ? ` (ultralytics ${ck.version})` : ''}, written by plugconv convert`,
          ...(semantics ? [`ultralytics: ${semantics} = the semantics its weights were trained with (${ck.semantics!.reason})`] : []),
        ];
        writeFileAtomic(opts.yaml, configYaml(dict, comment));
        wrote.push(opts.yaml);
      }
      console.log(`${path}: ${ck.format === 'ultralytics' ? `${ck.modelClass ?? 'model'} (${ck.entry}), ` : 'state dict, '}${ck.names ? `${ck.names.length} classes, ` : ''}wrote ${wrote.join(' and ')}`);
    });
}
