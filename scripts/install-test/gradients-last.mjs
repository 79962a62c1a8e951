// @plugconv/core/gradients imported after tfjs-core and @plugconv/core.
import { trainStep } from './train-step.mjs';
import '@plugconv/core/gradients';

await trainStep('gradients imported last');
