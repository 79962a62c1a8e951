// How shipped configs are grouped and listed (browser-safe: the CLI, the zoo report, the docs generator and the
// demo page all order configs this way).

/** The family of a config file: its name up to the first '-' (`yolo11-C3k2-DSConv.yaml` -> `yolo11`). */
export function configFamily(file: string): string {
  return file.replace(/\.ya?ml$/, '').split('-')[0]!;
}

/** The base config of a file's family (`yolo26-p2.yaml` -> `yolo26.yaml`): what its variants are compared with. */
export function familyBase(file: string): string {
  return `${configFamily(file)}.yaml`;
}

/** The release number in a family name (yolov8 -> 8, yolo26 -> 26); families without one sort last. */
const generation = (family: string) => Number(/\d+/.exec(family)?.[0] ?? Number.POSITIVE_INFINITY);

/**
 * Orders config file names by family release (yolov8, yolo11, yolo12, yolo26, ...), each family's base config
 * first, then its variants alphabetically. A comparator for `Array.prototype.sort`.
 */
export function compareConfigs(a: string, b: string): number {
  const fa = configFamily(a);
  const fb = configFamily(b);
  if (fa !== fb) return generation(fa) - generation(fb) || fa.localeCompare(fb);
  const baseA = a === familyBase(a);
  const baseB = b === familyBase(b);
  if (baseA !== baseB) return baseA ? -1 : 1;
  return a.localeCompare(b);
}
