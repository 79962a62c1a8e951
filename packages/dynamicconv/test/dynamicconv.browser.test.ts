import { describeBrowserParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

// every fixture in fixtures/modules (batch 2: each sample has its own mixed kernel) on webgl, webgpu and browser
// wasm; yolov8-DynamicConv-t is compared in grid cells by test/parity.test.ts (one box width is ill-conditioned)
describeBrowserParity('dynamicconv', import.meta.url, new Registry(coreModules, modules), import.meta.glob('../fixtures/{modules,models}/*.json', { eager: true, import: 'default' }), { models: false });
