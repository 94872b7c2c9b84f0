// instructforge view — the page. Plain JavaScript, no framework, no network beyond this server.
// Records are untrusted model output: every piece of text goes into the page through
// textContent (the h() helper below makes text nodes), never as markup.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const main = document.getElementById("main");
const state = { overview: null, version: -1, list: [], listQuery: "", ticket: 0 };

/** Thrown when an answer arrives for a view the user has already left: that view must not draw. */
class Stale extends Error {}

// ---------- helpers ----------

/** An element with attributes and children; strings become text nodes, so nothing is parsed as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function api(path, options) {
  const headers = { ...(options && options.body ? { "content-type": "application/json" } : {}), ...(TOKEN ? { "x-view-token": TOKEN } : {}) };
  const ticket = state.ticket;
  const response = await fetch(path, { ...(options || {}), headers });
  const body = await response.json();
  if (ticket !== state.ticket) throw new Stale();
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function withToken(path) {
  return TOKEN ? `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(TOKEN)}` : path;
}

function fmt(n) {
  return n === undefined || n === null ? "" : Number(n).toLocaleString("en-US");
}

function route() {
  const [path, query] = location.hash.slice(1).split("?");
  return { parts: (path || "/").split("/").filter(Boolean), params: new URLSearchParams(query || "") };
}

function go(hash) {
  location.hash = hash;
}

function refHash(ref) {
  return `#/record/${ref.stage}/${ref.kind}/${ref.line}`;
}

function stageName(number) {
  const stage = state.overview && state.overview.stages[number];
  return stage ? stage.name : String(number);
}

function pre(text, cls) {
  return h("pre", { class: `text ${cls || ""}` }, text);
}

function field(label, ...content) {
  return h("div", { class: "field" }, h("div", { class: "label" }, label), ...content);
}

function badge(text, cls) {
  return h("span", { class: `badge ${cls || ""}` }, text);
}

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function barRows(items) {
  const max = Math.max(1, ...items.map((item) => item.total));
  return h(
    "div",
    { class: "bars" },
    items.flatMap((item) => [
      h("span", { class: "small" }, item.label),
      h("div", { class: "bar", "data-label": item.label, "data-count": item.total }, item.parts.map((part) => h("span", { class: part.cls, "data-width": (100 * part.value) / max }))),
      h("span", { class: "num small" }, fmt(item.total)),
    ]),
  );
}

// The CSP forbids inline style attributes set from markup, but CSSOM writes are allowed.
function sizeBars(root) {
  for (const span of root.querySelectorAll("[data-width]")) span.style.width = `${span.getAttribute("data-width")}%`;
}

// ---------- overview ----------

async function loadOverview() {
  state.overview = await api("/api/overview");
  state.version = state.overview.version;
  const o = state.overview;
  const running = o.live ? "live: a stage is running" : "finished";
  document.getElementById("status").textContent = `${o.simulated ? "SIMULATED data · " : ""}${o.dir} · ${running} · v${o.version}`;
  document.getElementById("banner").replaceChildren(o.simulated ? h("div", { class: "simulated" }, "SIMULATED: made with the instructforge SIMULATOR, a test double — the text shows the pipeline working, not a model's quality.") : "");
  return o;
}

function renderOverview() {
  const o = state.overview;
  const final = o.stages[o.finalStage];
  const cards = h(
    "div",
    { class: "cards" },
    h("div", { class: "card" }, h("div", { class: "muted small" }, "records in the final stage"), h("div", { class: "big", id: "final-count" }, fmt(final ? final.kept : 0))),
    h("div", { class: "card" }, h("div", { class: "muted small" }, "rejected, all stages"), h("div", { class: "big" }, fmt(o.stages.reduce((s, x) => s + x.rejected, 0)))),
    h("div", { class: "card" }, h("div", { class: "muted small" }, "cost so far"), h("div", { class: "big", id: "cost" }, `$${o.totals.costUsd.toFixed(4)}`), h("div", { class: "small muted" }, `${fmt(o.totals.tokens)} tokens`)),
    h("div", { class: "card" }, h("div", { class: "muted small" }, "reviewed"), h("div", { class: "big", id: "reviews" }, `${o.reviews.good} good · ${o.reviews.bad} bad`), h("div", { class: "small muted" }, o.reviews.file)),
    h("div", { class: "card" }, h("div", { class: "muted small" }, "languages (final stage)"), h("div", {}, o.languages.map((l) => badge(`${l.language} ${fmt(l.count)}`)))),
  );
  const stageTable = h(
    "table",
    { id: "stages" },
    h("thead", {}, h("tr", {}, ["stage", "status", "kept", "rejected", "units done", "requests", "tokens", "cost"].map((c) => h("th", {}, c)))),
    h(
      "tbody",
      {},
      o.stages.map((s) =>
        h(
          "tr",
          { "data-stage": s.name },
          h("td", {}, h("a", { href: `#/records?stage=${s.number}` }, s.name)),
          h("td", {}, s.status),
          h("td", { class: "num" }, fmt(s.kept)),
          h("td", { class: "num" }, h("a", { href: `#/rejected?stage=${s.number}` }, fmt(s.rejected))),
          h("td", { class: "num" }, fmt(s.units)),
          h("td", { class: "num" }, fmt(s.requests)),
          h("td", { class: "num" }, fmt(s.tokens)),
          h("td", { class: "num" }, s.costUsd === undefined ? "" : `$${s.costUsd.toFixed(4)}`),
        ),
      ),
    ),
  );
  const perStage = barRows(o.stages.map((s) => ({ label: s.name, total: s.kept + s.rejected, parts: [{ cls: "kept", value: s.kept }, { cls: "rej", value: s.rejected }] })));
  const reasons = o.stages.flatMap((s) => s.reasons.map((r) => ({ label: `${s.name}: ${r.reason}`, total: r.count, parts: [{ cls: "one", value: r.count }] })));
  const reportBox = h("div", { id: "report-box" });
  const reportButton = o.reportAvailable
    ? h("button", { id: "show-report", onclick: () => reportBox.replaceChildren(h("iframe", { class: "report", sandbox: "", src: withToken("/report"), title: "report" })) }, "Show the report's charts")
    : h("p", { class: "muted" }, "This run is large: make the static report with `instructforge report`.");
  const root = h(
    "div",
    {},
    cards,
    h("h2", {}, "Stages"),
    stageTable,
    h("h2", {}, "Records per stage"),
    h("p", { class: "small muted" }, "green kept, red rejected"),
    perStage,
    h("h2", {}, "Rejections by reason"),
    reasons.length ? barRows(reasons) : h("p", { class: "muted" }, "No records were rejected."),
    h("h2", {}, "Charts"),
    reportButton,
    reportBox,
  );
  show(root);
  sizeBars(root);
}

// ---------- records table ----------

const FILTERS = ["q", "stage", "kind", "lang", "operation", "round", "qmin", "qmax", "cmin", "cmax", "reason", "review"];

function recordsQuery(params) {
  const o = state.overview;
  const query = new URLSearchParams();
  for (const key of FILTERS) if (params.get(key)) query.set(key, params.get(key));
  if (!params.has("stage") && o.finalStage !== undefined) query.set("stage", String(o.finalStage));
  if (!params.has("kind")) query.set("kind", "kept");
  query.set("offset", params.get("offset") || "0");
  query.set("limit", "50");
  return query;
}

function select(name, value, options) {
  return h("select", { name }, options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value) }, label)));
}

async function renderRecords(params) {
  const o = state.overview;
  const shownFor = location.hash;
  const query = recordsQuery(params);
  const data = await api(`/api/rows?${query}`);
  state.list = data.rows.map((row) => row.ref);
  state.listQuery = query.toString();
  const v = (key) => query.get(key) || "";
  const form = h(
    "form",
    { class: "filters", id: "filters", onsubmit: (e) => e.preventDefault() },
    h("label", {}, "search instruction / input / output", h("input", { class: "q", name: "q", type: "search", value: v("q"), placeholder: "words (Chinese: characters)", autocomplete: "off" })),
    h("label", {}, "stage", select("stage", v("stage"), [["", "all stages"], ...o.stages.map((s) => [s.number, s.name])])),
    h("label", {}, "records", select("kind", v("kind"), [["kept", "kept"], ["rejected", "rejected"], ["", "both"]])),
    h("label", {}, "language", select("lang", v("lang"), [["", "any"], ["en", "en"], ["zh", "zh"]])),
    h("label", {}, "operation", select("operation", v("operation"), [["", "any"], ...o.facets.operations.map((x) => [x, x])])),
    h("label", {}, "round", select("round", v("round"), [["", "any"], ...o.facets.rounds.map((x) => [x, x])])),
    h("label", {}, "quality from", h("input", { class: "n", name: "qmin", type: "number", step: "any", value: v("qmin") })),
    h("label", {}, "to", h("input", { class: "n", name: "qmax", type: "number", step: "any", value: v("qmax") })),
    h("label", {}, "complexity from", h("input", { class: "n", name: "cmin", type: "number", step: "any", value: v("cmin") })),
    h("label", {}, "to", h("input", { class: "n", name: "cmax", type: "number", step: "any", value: v("cmax") })),
    h("label", {}, "rule / reason", select("reason", v("reason"), [["", "any"], ...o.facets.reasons.map((x) => [x, x])])),
    h("label", {}, "review", select("review", v("review"), [["", "any"], ["good", "good"], ["bad", "bad"], ["none", "not reviewed"]])),
  );
  let timer;
  const apply = () => {
    // a form the user has navigated away from (its search box loses focus as the page changes) must not navigate back
    if (!form.isConnected || location.hash !== shownFor) return;
    const next = new URLSearchParams();
    for (const element of form.elements) if (element.name && element.value !== "") next.set(element.name, element.value);
    if (!next.has("stage")) next.set("stage", "");
    if (!next.has("kind")) next.set("kind", "");
    go(`#/records?${next}`);
  };
  form.addEventListener("change", apply);
  form.addEventListener("input", (event) => {
    if (event.target.name !== "q") return;
    clearTimeout(timer);
    timer = setTimeout(apply, 250);
  });
  const offset = Number(query.get("offset"));
  const page = (delta) => {
    const next = new URLSearchParams(params);
    next.set("offset", String(Math.max(0, offset + delta)));
    go(`#/records?${next}`);
  };
  const pager = h(
    "div",
    { class: "pager" },
    h("button", { onclick: () => page(-50), disabled: offset === 0 }, "‹ previous"),
    h("span", { id: "row-count", "data-total": data.total }, data.total === 0 ? "no records match" : `${fmt(offset + 1)}–${fmt(offset + data.rows.length)} of ${fmt(data.total)}`),
    h("span", { class: "muted small", id: "took" }, `${data.tookMs} ms`),
    h("button", { onclick: () => page(50), disabled: offset + data.rows.length >= data.total }, "next ›"),
  );
  const table = h(
    "table",
    { id: "rows" },
    h("thead", {}, h("tr", {}, ["stage", "instruction / input", "output", "operation · round", "scores", "reason / evidence", "review"].map((c) => h("th", {}, c)))),
    h(
      "tbody",
      {},
      data.rows.map((row) =>
        h(
          "tr",
          { class: "row", "data-id": row.id || "", onclick: () => go(refHash(row.ref)) },
          h("td", { class: "small" }, row.stage, row.ref.kind === "rejected" ? [" ", badge("rejected", "rejected")] : ""),
          h("td", {}, h("a", { href: refHash(row.ref), class: "instruction" }, row.instruction || "(empty)"), row.input ? h("div", { class: "small muted" }, row.input) : ""),
          h("td", { class: "small" }, row.output),
          h("td", { class: "small" }, [row.operation, row.round === undefined ? "" : `round ${row.round}`].filter(Boolean).join(" · ")),
          h("td", { class: "small" }, [row.quality === undefined ? "" : `quality ${row.quality}`, row.complexity === undefined ? "" : `complexity ${row.complexity}`].filter(Boolean).join(" · ")),
          h("td", { class: "small" }, row.reason ? [badge(row.reason, "rejected"), h("div", { class: "muted" }, row.evidence || "")] : ""),
          h("td", {}, row.review ? badge(row.review, row.review) : ""),
        ),
      ),
    ),
  );
  const focused = document.activeElement && document.activeElement.name === "q";
  show(form, pager, table);
  if (focused) {
    const input = form.elements.namedItem("q");
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
}

// ---------- record page ----------

function diffNode(parts) {
  return h("pre", { class: "text diff" }, parts.map((p) => (p.op === "same" ? p.text : h(p.op === "added" ? "ins" : "del", { class: p.op }, p.text))));
}

async function renderRecord(stage, kind, line) {
  const r = await api(`/api/record?stage=${stage}&kind=${kind}&line=${line}`);
  const status = h("span", { id: "review-state" }, r.review ? badge(r.review.verdict, r.review.verdict) : badge("not reviewed"));
  const note = h("input", { id: "note", type: "text", placeholder: "note (optional), saved with the mark", value: r.review && r.review.note ? r.review.note : "" });
  const mark = async (verdict) => {
    if (!r.id) return;
    const saved = await api("/api/review", { method: "POST", body: JSON.stringify({ id: r.id, verdict, note: note.value, stage: r.stage }) });
    r.review = verdict === "clear" ? undefined : saved.mark;
    status.replaceChildren(r.review ? badge(r.review.verdict, r.review.verdict) : badge("not reviewed"));
  };
  const position = state.list.findIndex((ref) => ref.stage === r.ref.stage && ref.kind === r.ref.kind && ref.line === r.ref.line);
  const review = r.id
    ? h(
        "div",
        { class: "review" },
        h("button", { class: "good", id: "mark-good", onclick: () => mark("good") }, "Good ", h("kbd", {}, "g")),
        h("button", { class: "bad", id: "mark-bad", onclick: () => mark("bad") }, "Bad ", h("kbd", {}, "b")),
        h("button", { id: "mark-clear", onclick: () => mark("clear") }, "Clear ", h("kbd", {}, "u")),
        note,
        status,
        h("span", { class: "small muted" }, position >= 0 ? [h("kbd", {}, "j"), " next ", h("kbd", {}, "k"), " previous"] : ""),
      )
    : h("p", { class: "muted" }, "This rejection holds no complete record, so it cannot be reviewed.");
  state.keys = { g: () => mark("good"), b: () => mark("bad"), u: () => mark("clear"), j: () => step(position, 1), k: () => step(position, -1) };

  const sections = [
    h("h2", {}, `${r.stage} · ${r.ref.kind} record ${r.ref.line + 1}`, r.id ? h("span", { class: "muted small" }, `  id ${r.id}`) : ""),
    review,
    r.reason ? field("rejected because", badge(r.reason, "rejected"), pre(JSON.stringify(r.detail, null, 2), "evidence")) : "",
    field("instruction", pre(r.record.instruction, "instruction")),
    field("input", pre(r.record.input || "(none)", "input")),
    field("output", pre(r.record.output || "(none)", "output")),
  ];
  const scores = Object.entries(r.scores).filter(([, value]) => value !== undefined && value !== null);
  if (scores.length) sections.push(h("h3", {}, "Scores"), h("ul", { id: "scores" }, scores.map(([key, value]) => h("li", {}, `${key}: ${value}`))));
  if (r.lineage.length > 1 || r.seeds.length) {
    sections.push(h("h3", {}, "History"));
    if (r.seeds.length)
      sections.push(
        h(
          "div",
          { class: "step", id: "seeds" },
          h("strong", {}, "Seed examples shown to the model"),
          h("ul", {}, r.seeds.map((seed) => h("li", { "data-seed": seed.id }, h("span", { class: "muted small" }, `${seed.id}: `), seed.found ? seed.instruction : "(not found in the seed file)"))),
        ),
      );
    sections.push(
      h(
        "div",
        { id: "lineage" },
        r.lineage.map((s, i) =>
          h(
            "div",
            { class: "step", "data-step": i, "data-operation": s.operation || "" },
            h("div", { class: "small" }, i === 0 ? "root" : `step ${i}`, " · ", s.stage, s.round !== undefined ? ` · round ${s.round}` : "", s.operation ? [" · ", badge(s.operation)] : "", s.ref ? [" · ", h("a", { href: refHash(s.ref) }, "open")] : ""),
            s.instructionDiff ? diffNode(s.instructionDiff) : pre(s.instruction),
            s.inputDiff ? [h("div", { class: "small muted" }, "input"), diffNode(s.inputDiff)] : "",
          ),
        ),
      ),
    );
  }
  if (r.eliminated.length)
    sections.push(
      h("h3", {}, `Eliminated attempts (${r.eliminated.length})`),
      h(
        "div",
        { id: "eliminated" },
        r.eliminated.map((e) =>
          h(
            "div",
            { class: "step eliminated", "data-reason": e.reason },
            h("div", { class: "small" }, e.stage, e.round !== undefined ? ` · round ${e.round}` : "", e.operation ? [" · ", badge(e.operation)] : "", " · ", badge(e.reason, "rejected"), " · ", h("a", { href: refHash(e.ref) }, "open")),
            pre(e.instruction),
            pre(JSON.stringify(e.detail), "small"),
          ),
        ),
      ),
    );
  if (r.mostSimilar.length) sections.push(h("h3", {}, "Most similar instructions when generated"), h("table", {}, h("tbody", {}, r.mostSimilar.map((m) => h("tr", {}, h("td", { class: "num" }, m.score.toFixed(3)), h("td", {}, m.instruction))))));
  if (r.keptIn.length) sections.push(h("h3", {}, "Kept in"), h("p", {}, r.keptIn.map((k) => [h("a", { href: refHash(k.ref) }, k.stage), " "])));
  if (r.meta.length) sections.push(h("details", {}, h("summary", {}, "meta.jsonl lines"), r.meta.map((m) => field(m.stage, pre(JSON.stringify(m.meta, null, 2), "small")))));
  show(...sections);
}

async function step(position, delta) {
  if (position < 0) return;
  const next = state.list[position + delta];
  if (next) return go(refHash(next));
  // off the end of the page: fetch the neighbouring page of the same list
  const query = new URLSearchParams(state.listQuery);
  const offset = Math.max(0, Number(query.get("offset")) + (delta > 0 ? 50 : -50));
  if (offset === Number(query.get("offset"))) return;
  query.set("offset", String(offset));
  const data = await api(`/api/rows?${query}`);
  if (!data.rows.length) return;
  state.list = data.rows.map((row) => row.ref);
  state.listQuery = query.toString();
  go(refHash(delta > 0 ? state.list[0] : state.list[state.list.length - 1]));
}

// ---------- rejected ----------

async function renderRejected(params) {
  const o = state.overview;
  const only = params.get("stage");
  const groups = o.stages.filter((s) => only === null || String(s.number) === only).flatMap((s) => s.reasons.map((r) => ({ stage: s, ...r })));
  const list = h("div", { id: "reason-groups" });
  show(h("h2", {}, "Rejected records by reason"), groups.length ? list : h("p", { class: "muted" }, "No records were rejected."));
  for (const group of groups) {
    const body = h("div", {});
    const open = async () => {
      const data = await api(`/api/rows?stage=${group.stage.number}&kind=rejected&reason=${encodeURIComponent(group.reason)}&limit=5`);
      body.replaceChildren(
        ...data.rows.map((row) => h("div", { class: "step eliminated" }, h("a", { href: refHash(row.ref) }, row.instruction || "(no instruction)"), h("div", { class: "small muted" }, row.evidence || ""))),
        h("a", { href: `#/records?stage=${group.stage.number}&kind=rejected&reason=${encodeURIComponent(group.reason)}` }, `all ${fmt(group.count)} in the table ›`),
      );
    };
    const details = h("details", { "data-reason": group.reason, ontoggle: (e) => e.target.open && open() }, h("summary", {}, `${group.stage.name}: `, h("strong", {}, group.reason), ` — ${fmt(group.count)}`), body);
    list.append(details);
  }
}

// ---------- similar pairs ----------

async function renderSimilar() {
  const data = await api("/api/similar");
  const source =
    data.source === "meta"
      ? "ROUGE-L scores recorded by generate (most_similar_instructions)"
      : data.source === "computed"
        ? "ROUGE-L computed over the final stage's instructions"
        : `No similarity scores in meta.jsonl, and the final stage has more than ${fmt(data.computeLimit)} records to compare all pairs here.`;
  show(
    h("h2", {}, `Most similar pairs (top ${data.pairs.length})`),
    h("p", { class: "muted" }, source),
    h("table", { id: "similar" }, h("thead", {}, h("tr", {}, h("th", {}, "ROUGE-L"), h("th", {}, "instruction"), h("th", {}, "most similar"))), h("tbody", {}, data.pairs.map((p) => h("tr", {}, h("td", { class: "num" }, p.score.toFixed(3)), h("td", {}, p.instruction), h("td", {}, p.similar))))),
  );
}

// ---------- routing, keys, live updates ----------

async function render() {
  const { parts, params } = route();
  const page = parts[0] || "overview";
  for (const link of document.querySelectorAll("[data-nav]")) link.classList.toggle("active", link.getAttribute("data-nav") === (page === "record" ? "records" : page));
  state.keys = null;
  state.ticket++;
  try {
    if (!state.overview) await loadOverview();
    if (page === "records") await renderRecords(params);
    else if (page === "record") await renderRecord(Number(parts[1]), parts[2], Number(parts[3]));
    else if (page === "rejected") await renderRejected(params);
    else if (page === "similar") await renderSimilar();
    else renderOverview();
  } catch (error) {
    if (error instanceof Stale) return;
    show(h("p", { class: "error" }, String(error && error.message ? error.message : error)));
  }
}

document.addEventListener("keydown", (event) => {
  if (!state.keys || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  const action = state.keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

window.addEventListener("hashchange", render);

// Live: the server pushes the run's version when its files grow; pages that show lists re-render.
function listen() {
  const events = new EventSource(withToken("/api/events"));
  events.onmessage = async (message) => {
    const { version } = JSON.parse(message.data);
    if (version === state.version) return;
    await loadOverview();
    const page = route().parts[0] || "overview";
    const typing = document.activeElement && document.activeElement.tagName === "INPUT";
    if (!typing && (page === "overview" || page === "records" || page === "rejected")) render();
  };
}

loadOverview()
  .then(render)
  .then(listen)
  .catch((error) => show(h("p", { class: "error" }, String(error.message || error))));
