/**
 * The Self-Instruct / Alpaca diversity chart: a two-ring donut, root verbs inside, each verb's
 * most frequent direct objects outside, arcs proportional to record counts.
 */
import type { VerbNounChart } from "../verbNoun/index.js";
import { color, element, svg, text, title } from "../svg.js";

const SIZE = 560;
const CENTER = SIZE / 2;
const RINGS = { hole: 70, verbOuter: 160, objectOuter: 270 };

export function sunburst(id: string, chart: VerbNounChart): string {
  const total = chart.verbs.reduce((sum, v) => sum + v.count, 0);
  if (total === 0) return element("p", { class: "empty", id }, text("no verb–object pairs found"));
  const pieces: string[] = [];
  let angle = 0;
  chart.verbs.forEach((verb, index) => {
    const sweep = (verb.count / total) * 2 * Math.PI;
    pieces.push(arc({ from: angle, sweep, inner: RINGS.hole, outer: RINGS.verbOuter, fill: color(index), label: verb.verb, count: verb.count, ring: "verb" }));
    let objectAngle = angle;
    for (const object of verb.objects) {
      const objectSweep = (object.count / total) * 2 * Math.PI;
      pieces.push(arc({ from: objectAngle, sweep: objectSweep, inner: RINGS.verbOuter, outer: RINGS.objectOuter, fill: color(index), label: object.object, count: object.count, ring: "object", parent: verb.verb }));
      objectAngle += objectSweep;
    }
    angle += sweep;
  });
  return svg(SIZE, SIZE, { id, class: "chart sunburst", "data-verbs": chart.verbs.length, "data-pairs": total }, ...pieces);
}

interface ArcSpec {
  from: number;
  sweep: number;
  inner: number;
  outer: number;
  fill: string;
  label: string;
  count: number;
  ring: "verb" | "object";
  parent?: string;
}

function arc(spec: ArcSpec): string {
  const opacity = spec.ring === "verb" ? 0.95 : 0.6;
  const hover = spec.parent ? `${spec.parent} → ${spec.label}: ${spec.count}` : `${spec.label}: ${spec.count}`;
  return element(
    "g",
    { class: `arc ${spec.ring}`, "data-label": spec.label, "data-count": spec.count, "data-parent": spec.parent },
    element("path", { d: ringSegment(spec), fill: spec.fill, "fill-opacity": opacity, stroke: "#fff", "stroke-width": 1 }, title(hover)),
    arcLabel(spec),
  );
}

/** A label only where it fits; the tooltip names every arc. */
function arcLabel(spec: ArcSpec): string {
  const radius = (spec.inner + spec.outer) / 2;
  if (spec.sweep * radius < 11) return "";
  const middle = spec.from + spec.sweep / 2;
  const [x, y] = polar(radius, middle);
  // Rotate along the radius, flipped on the left half so text never reads upside down.
  let degrees = (middle * 180) / Math.PI - 90;
  if (degrees > 90) degrees -= 180;
  return element("text", { x, y, class: `arc-label ${spec.ring}`, "text-anchor": "middle", "dominant-baseline": "central", transform: `rotate(${degrees.toFixed(1)} ${x.toFixed(1)} ${y.toFixed(1)})` }, text(spec.label));
}

function ringSegment({ from, sweep, inner, outer }: ArcSpec): string {
  // A full circle cannot be one SVG arc; stop a hair short.
  const to = from + Math.min(sweep, 2 * Math.PI - 1e-4);
  const large = to - from > Math.PI ? 1 : 0;
  const [x1, y1] = polar(outer, from);
  const [x2, y2] = polar(outer, to);
  const [x3, y3] = polar(inner, to);
  const [x4, y4] = polar(inner, from);
  const f = (n: number): string => n.toFixed(2);
  return `M${f(x1)} ${f(y1)}A${outer} ${outer} 0 ${large} 1 ${f(x2)} ${f(y2)}L${f(x3)} ${f(y3)}A${inner} ${inner} 0 ${large} 0 ${f(x4)} ${f(y4)}Z`;
}

/** Angle 0 at twelve o'clock, clockwise. */
function polar(radius: number, angle: number): [number, number] {
  return [CENTER + radius * Math.sin(angle), CENTER - radius * Math.cos(angle)];
}
