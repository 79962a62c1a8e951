import type { ModuleSpec } from '@plugconv/core';

/** The YAML tokens this package registers. */
export const modules: ModuleSpec[] = [];
