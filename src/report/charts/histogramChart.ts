/** Column chart of a length histogram; each column carries its bin and count as data attributes. */
import type { Histogram } from "../histogram.js";
import { color, element, svg, text, title } from "../svg.js";

const WIDTH = 360;
const HEIGHT = 180;
const AXIS = 22;

export function histogramChart(id: string, histogram: Histogram, unit: string, colorIndex: number): string {
  if (histogram.bins.length === 0) return element("p", { class: "empty", id }, text("no values"));
  const max = Math.max(1, ...histogram.bins.map((b) => b.count));
  const width = WIDTH / histogram.bins.length;
  const columns = histogram.bins.map((bin, i) => {
    const height = (bin.count / max) * (HEIGHT - AXIS - 6);
    const last = i === histogram.bins.length - 1 && histogram.clipped;
    const range = last ? `≥ ${bin.from}` : `${bin.from}–${bin.to - 1}`;
    return element(
      "rect",
      { x: i * width + 1, y: HEIGHT - AXIS - height, width: Math.max(1, width - 2), height, fill: color(colorIndex), class: "bin", "data-from": bin.from, "data-to": bin.to, "data-count": bin.count },
      title(`${range} ${unit}: ${bin.count}`),
    );
  });
  const lastBin = histogram.bins[histogram.bins.length - 1]!;
  const axis = [
    element("line", { x1: 0, y1: HEIGHT - AXIS, x2: WIDTH, y2: HEIGHT - AXIS, class: "axis" }),
    element("text", { x: 0, y: HEIGHT - 6, class: "tick" }, "0"),
    element("text", { x: WIDTH, y: HEIGHT - 6, class: "tick", "text-anchor": "end" }, text(`${histogram.clipped ? "≥ " : ""}${lastBin.from} ${unit}`)),
  ];
  return svg(WIDTH, HEIGHT, { id, class: "chart histogram", "data-total": histogram.total }, ...columns, ...axis);
}
