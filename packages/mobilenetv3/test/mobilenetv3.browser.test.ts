import { describeBrowserParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

// every fixture in fixtures/modules and fixtures/models on webgl, webgpu and browser wasm (headless Chromium)
describeBrowserParity('mobilenetv3', import.meta.url, new Registry(coreModules, modules), import.meta.glob('../fixtures/{modules,models}/*.json', { eager: true, import: 'default' }));
