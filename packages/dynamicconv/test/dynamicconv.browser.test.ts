import { describeBrowserParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

// every fixture in fixtures/modules (batch 2: each sample has its own mixed kernel) and fixtures/models (yolov8- and
// yolo11-DynamicConv at t, boxes compared in grid cells) on webgl, webgpu and browser wasm
describeBrowserParity('dynamicconv', import.meta.url, new Registry(coreModules, modules), import.meta.glob('../fixtures/{modules,models}/*.json', { eager: true, import: 'default' }));
