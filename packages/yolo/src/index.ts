/**
 * @plugconv/yolo: YOLOv8, YOLO11, YOLO12 and YOLO26 with every plugconv module registered, the shipped configs,
 * the predict pipeline and the `plugconv` CLI. This entry is for Node (config files, image and weights files);
 * bundlers targeting a browser get the browser-safe part (`@plugconv/yolo/browser`, also chosen by the `browser`
 * export condition).
 * @packageDocumentation
 */
export * from './browser.js';
export * from './configs.js';
export * from './predict/image-io.js';
export * from './predict/weights-file.js';
export * from './checkpoint-file.js';
export * from './roofline.js';
export * from './breakdown.js';
export * from './breakdown-report.js';
export * from './predict/model-source.js';
export * from './predict/predict-file.js';
export * from './predict/sources.js';
export * from './predict-many.js';
export * from './usage-error.js';
