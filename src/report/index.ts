/** Public API of the report: the HTML report and the dataset card of a run directory. */
import { analyseRun, type ReportData } from "./data.js";
import { reportHtml } from "./html.js";
import { loadRun } from "./load.js";

export { writeDatasetCard } from "./card.js";
export type { ReportData } from "./data.js";

/** Everything the report shows, as data (for tests and other front ends). */
export function analyseRunDirectory(dir: string): ReportData {
  return analyseRun(loadRun(dir));
}

/** The self-contained HTML report of a run directory or pipeline directory. */
export function renderReport(dir: string): string {
  return reportHtml(analyseRunDirectory(dir));
}
