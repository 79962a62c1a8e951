// @plugconv/core/gradients imported before tfjs-core and @plugconv/core (the order the getting-started guide shows).
import '@plugconv/core/gradients';
import { trainStep } from './train-step.mjs';

await trainStep('gradients imported first');
