import { packageTestKit } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';

/** Core's blocks and this package's modules; a fixture's module from its json; a config in fixtures/models. */
export const { registry, byMeta, fixturePath, configModel } = packageTestKit(import.meta.url, modules);
