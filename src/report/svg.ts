/** Tiny typed helpers for building SVG/HTML markup as strings, escaping every text and attribute. */

export type Attributes = Record<string, string | number | undefined>;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function element(name: string, attributes: Attributes, ...children: string[]): string {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(typeof value === "number" ? formatNumber(value) : value!)}"`)
    .join("");
  return `<${name}${attrs}>${children.join("")}</${name}>`;
}

/** Text content, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

export function svg(width: number, height: number, attributes: Attributes, ...children: string[]): string {
  return element("svg", { xmlns: "http://www.w3.org/2000/svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", ...attributes }, ...children);
}

/** Coordinates with two decimals at most: smaller files, same picture. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, "");
}

/** A tooltip the browser shows on hover, with no script. */
export function title(content: string): string {
  return element("title", {}, text(content));
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export function color(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export function shorten(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}
