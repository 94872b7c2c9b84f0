/** The report page: sections of charts and tables, inline CSS, no scripts, no external resources. */
import { barChart, type Bar } from "./charts/bars.js";
import { histogramChart } from "./charts/histogramChart.js";
import { sunburst } from "./charts/sunburst.js";
import type { ReportData } from "./data.js";
import { element, escapeXml, text } from "./svg.js";

const ACCEPTED_COLOR = "#59a14f";
const REJECTED_COLOR = "#e15759";

export function reportHtml(data: ReportData): string {
  const sections = [header(data), stagesSection(data), reasonsSection(data), lengthsSection(data), mixSection(data), depthSection(data), verbNounSection(data), similarSection(data)];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>instructforge report — ${escapeXml(data.dir)}</title>
<style>${CSS}</style></head>
<body>${sections.filter((s) => s !== "").join("\n")}</body></html>
`;
}

function section(id: string, heading: string, ...body: string[]): string {
  return element("section", { id }, element("h2", {}, text(heading)), ...body);
}

function paragraph(content: string, className?: string): string {
  return element("p", { class: className }, text(content));
}

function header(data: ReportData): string {
  const banner = data.simulated
    ? element("p", { class: "simulated", id: "simulated" }, text("SIMULATED: this run used the instructforge SIMULATOR, a test double — the data shows the pipeline working, not generation quality."))
    : "";
  const summary = `${data.records.toLocaleString("en-US")} records in the final stage (${data.finalStage}) · ${data.isPipeline ? `${data.stages.length} stages` : "single stage"}`;
  const reviews = data.reviews
    ? element("p", { id: "reviews", "data-good": data.reviews.good, "data-bad": data.reviews.bad }, text(`Reviewed in instructforge view: ${data.reviews.good} good, ${data.reviews.bad} bad (review.jsonl).`))
    : "";
  return element("header", {}, element("h1", {}, text("instructforge report")), paragraph(data.dir, "path"), paragraph(summary), reviews, banner);
}

function stagesSection(data: ReportData): string {
  const bars: Bar[] = data.stages.map((stage) => ({
    label: stage.name,
    value: stage.accepted + stage.rejected,
    parts: [
      { label: "accepted", value: stage.accepted, color: ACCEPTED_COLOR },
      { label: "rejected", value: stage.rejected, color: REJECTED_COLOR },
    ],
  }));
  const legend = element("p", { class: "legend" }, `<span class="swatch" style="background:${ACCEPTED_COLOR}"></span>accepted <span class="swatch" style="background:${REJECTED_COLOR}"></span>rejected`);
  return section("stages", "Records per stage", legend, barChart("chart-stages", bars));
}

function reasonsSection(data: ReportData): string {
  const bars: Bar[] = data.stages.flatMap((stage) => stage.rejectedByReason.map((r) => ({ label: data.isPipeline ? `${stage.name}: ${r.reason}` : r.reason, value: r.count })));
  if (bars.length === 0) return section("reasons", "Rejections by reason", paragraph("No records were rejected."));
  return section("reasons", "Rejections by reason", barChart("chart-reasons", bars));
}

function lengthsSection(data: ReportData): string {
  const share = data.records === 0 ? 0 : data.withInput / data.records;
  const parts = data.lengths.map((lengths) => {
    const label = lengths.language === "en" ? "English" : "Chinese";
    const figure = (field: "instruction" | "input" | "output", index: number): string =>
      element("figure", {}, histogramChart(`chart-length-${lengths.language}-${field}`, lengths[field], lengths.unit, index), element("figcaption", {}, text(`${field}: ${lengths[field].total} values, median ${lengths[field].median} ${lengths.unit}`)));
    return element("div", {}, element("h3", {}, text(`${label} (${lengths.records} records, length in ${lengths.unit})`)), element("div", { class: "row" }, figure("instruction", 0), figure("input", 1), figure("output", 2)));
  });
  const inputLine = element("p", { id: "input-share", "data-with-input": data.withInput, "data-records": data.records }, text(`${(share * 100).toFixed(1)}% of records have an input (${data.withInput} of ${data.records}).`));
  return section("lengths", "Lengths", inputLine, ...parts);
}

function mixSection(data: ReportData): string {
  const bars = data.languages.map((l) => ({ label: l.language === "en" ? "English (en)" : "Chinese (zh)", value: l.count }));
  return section("languages", "Language mix", paragraph("Language by the share of Han characters in the instruction."), barChart("chart-languages", bars));
}

function depthSection(data: ReportData): string {
  if (data.depths.length === 0) return "";
  const bars = data.depths.map((d) => ({ label: `depth ${d.depth}`, value: d.count }));
  return section("depths", "Evolution depth", paragraph("Depth 0 is the instruction as it entered evolve; each round that changed it adds one."), barChart("chart-depths", bars));
}

function verbNounSection(data: ReportData): string {
  const charts = data.verbNoun.map((chart) => {
    const sampled = chart.analysed < chart.total ? ` (an even sample of ${chart.analysed} of ${chart.total})` : "";
    const note = `${chart.withPair} of ${chart.analysed} instructions${sampled} have a root verb with a noun object; ${chart.withoutPair} without one ("What is …?", "Decide whether …") are left out. Top ${chart.verbs.length} verbs, top 4 objects each.`;
    return element(
      "figure",
      { class: "verbnoun", "data-language": chart.language, "data-with-pair": chart.withPair, "data-without-pair": chart.withoutPair },
      sunburst(`chart-verbnoun-${chart.language}`, chart),
      element("figcaption", {}, text(`English: ${note}`)),
    );
  });
  const chinese = data.languages.find((l) => l.language === "zh")?.count ?? 0;
  const chineseNote = chinese > 0 ? paragraph(`${chinese} Chinese instructions are not charted: no measured offline Chinese parser is included.`, "note") : "";
  if (charts.length === 0 && !chineseNote) return "";
  return section("verbnoun", "Verb–object diversity", paragraph("Inner ring: the root verb of each instruction; outer ring: its direct object (hover for counts)."), ...charts, chineseNote);
}

function similarSection(data: ReportData): string {
  const { source, pairs } = data.similar;
  if (source === "none") return section("similar", "Most similar pairs", paragraph("No similarity scores in meta.jsonl, and the run is too large to compare all pairs here."));
  const rows = pairs.map((p) => element("tr", { "data-score": p.score }, element("td", { class: "num" }, p.score.toFixed(3)), element("td", {}, text(p.instruction)), element("td", {}, text(p.similar))));
  const from = source === "meta" ? "ROUGE-L scores recorded by generate (most_similar_instructions)" : "ROUGE-L computed over the final instructions";
  return section(
    "similar",
    `Most similar pairs (top ${pairs.length})`,
    paragraph(from),
    element("table", { id: "similar-pairs" }, element("thead", {}, element("tr", {}, element("th", {}, "ROUGE-L"), element("th", {}, "instruction"), element("th", {}, "most similar"))), element("tbody", {}, ...rows)),
  );
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:1180px;padding:16px 24px;color:#222;background:#fafafa}
h1{margin:0 0 4px;font-size:24px}h2{margin:28px 0 8px;font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:12px 0 4px}
.path{font-family:ui-monospace,monospace;color:#555;margin:0}
.simulated{background:#fff3cd;border:1px solid #e0c068;padding:8px 12px;border-radius:4px;font-weight:600}
.row{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-size:12px;color:#555;max-width:560px}
.chart text{font-size:12px;fill:#333}.chart .value{fill:#555}.chart .tick{font-size:11px;fill:#666}.axis{stroke:#999}
.arc-label{font-size:10px;fill:#111;pointer-events:none}.arc-label.verb{font-weight:600;font-size:11px}
.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.note,.empty{color:#777;font-style:italic}
`;
