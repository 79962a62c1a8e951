/** One detected object: corners in pixels of the image it refers to, confidence and class index. */
export interface Detection {
  /** [x1, y1, x2, y2]. */
  box: [number, number, number, number];
  /** Confidence: the class score after the sigmoid. */
  conf: number;
  /** Class index (0-based). */
  cls: number;
}
