/** Horizontal bar chart: one labelled bar per item, each bar carrying its count in `data-count`. */
import { color, element, shorten, svg, text, title } from "../svg.js";

export interface Bar {
  label: string;
  value: number;
  /** Splits the bar into stacked parts (e.g. accepted / rejected); must sum to `value`. */
  parts?: Array<{ label: string; value: number; color: string }>;
}

const ROW = 24;
const LABEL_WIDTH = 220;
const BAR_WIDTH = 440;
const VALUE_WIDTH = 90;

export function barChart(id: string, bars: readonly Bar[]): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((bar, i) => barRow(bar, i, max));
  return svg(LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, Math.max(1, bars.length) * ROW + 4, { id, class: "chart bars", "data-bars": bars.length }, ...rows);
}

function barRow(bar: Bar, index: number, max: number): string {
  const y = index * ROW + 2;
  const parts = bar.parts ?? [{ label: bar.label, value: bar.value, color: color(0) }];
  let x = LABEL_WIDTH;
  const rects = parts.map((part) => {
    const width = (part.value / max) * BAR_WIDTH;
    const rect = element("rect", { x, y, width, height: ROW - 6, fill: part.color, "data-part": part.label, "data-count": part.value }, title(`${part.label}: ${part.value}`));
    x += width;
    return rect;
  });
  return element(
    "g",
    { class: "bar", "data-label": bar.label, "data-count": bar.value },
    element("text", { x: LABEL_WIDTH - 8, y: y + ROW / 2, "text-anchor": "end", class: "label" }, text(shorten(bar.label, 32))),
    ...rects,
    element("text", { x: x + 6, y: y + ROW / 2, class: "value" }, text(bar.value.toLocaleString("en-US"))),
  );
}
