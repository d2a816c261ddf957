// The query page: highlighting, examples, running, results. No external code; works offline.
"use strict";

const KEYWORDS = new Set(("select construct describe ask where from named prefix base distinct reduced as filter " +
  "optional union minus graph service silent bind values order by asc desc limit offset group having not exists " +
  "in a true false count sum min max avg sample group_concat separator lang langmatches str datatype bound iri uri " +
  "isiri isuri isblank isliteral regex strstarts strends contains lcase ucase concat coalesce if year month day now")
  .split(" "));
const TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][\w\u00b7-\uffff]+)|([A-Za-z_][\w\-.]*:[\w\-.:%]*|:[\w\-.:%]*)|(\d+(?:\.\d+)?)|([A-Za-z_]+)/g;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function highlight(text) {
  let out = "", last = 0, match;
  TOKEN.lastIndex = 0;
  while ((match = TOKEN.exec(text)) !== null) {
    out += escapeHtml(text.slice(last, match.index));
    const [whole, comment, string, iri, variable, pname, number, word] = match;
    let cls = comment ? "tok-comment" : string ? "tok-string" : iri ? "tok-iri" : variable ? "tok-var" :
      pname ? "tok-pname" : number ? "tok-number" : (word && KEYWORDS.has(word.toLowerCase())) ? "tok-keyword" : "";
    out += cls ? `<span class="${cls}">${escapeHtml(whole)}</span>` : escapeHtml(whole);
    last = match.index + whole.length;
  }
  return out + escapeHtml(text.slice(last)) + "\n";
}

const PAGE_SIZE = 100;
const WORDS = JSON.parse(document.getElementById("interface-words")?.textContent || "{}");
const tr = (word) => WORDS[word] || word.split("|")[0];  // the interface's words, in the page's language
const LONG_URL = 2000;  // queries whose URL would be longer get a permalink in the fragment, compressed
const LABELS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?iri ?label WHERE {\n" +
  "  VALUES ?iri { %IRIS% }\n  ?iri rdfs:label ?label FILTER(LANG(?label) IN (\"fr\", \"en\", \"\"))\n}";

function pageFor(iri, base) {
  if (iri.startsWith(base + "id/release/")) return "/page/release/" + iri.slice((base + "id/release/").length).split("#")[0];
  if (iri.startsWith(base + "id/")) return "/page/" + iri.slice((base + "id/").length);
  if (iri.startsWith(base + "ontology")) return "/ontology" + (iri.includes("#") ? "#" + iri.split("#")[1] : "");
  return /^https?:\/\//.test(iri) ? iri : null;
}

// --- the query in the URL: ?query= when short, #q=<deflate-raw, base64url> when a GET would be too long ---------

async function packed(query) {
  const stream = new Blob([query]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpacked(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return await new Response(stream).text();
}

async function permalink(query) {
  const url = new URL("/sparql", window.location.href);
  url.searchParams.set("query", query);
  if (url.href.length <= LONG_URL) return url.href;
  return new URL("/sparql#q=" + await packed(query), window.location.href).href;
}

async function queryFromUrl() {
  const url = new URL(window.location.href);
  if (url.hash.startsWith("#q=")) return await unpacked(url.hash.slice(3));
  return url.searchParams.get("query");
}

// --- results: labels, sorting, pages --------------------------------------------------------------------------

async function labelsFor(iris, base) {
  const labels = new Map();
  const wanted = [...iris].filter((iri) => !/[\s<>"{}|^`\\]/.test(iri)).slice(0, 2000);
  if (!wanted.length) return labels;
  const query = LABELS.replace("%IRIS%", wanted.map((iri) => `<${iri}>`).join(" "));
  try {
    const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
      headers: {"Accept": "application/sparql-results+json"}});
    if (!response.ok) return labels;
    for (const row of (await response.json()).results.bindings) {
      // as the pages name them: ontology terms in the interface's language, entities as the releases do
      const lang = row.iri.value.startsWith(base + "ontology") ? document.documentElement.lang : "fr";
      const rank = row.label["xml:lang"] === lang ? 0 : row.label["xml:lang"] ? 1 : 2;
      const known = labels.get(row.iri.value);
      if (!known || rank < known.rank) labels.set(row.iri.value, {text: row.label.value, rank});
    }
  } catch (err) {
    return labels;  // labels are a comfort: the IRIs stay
  }
  return labels;
}

function shortIri(iri, base) {
  return iri.startsWith(base) ? iri.slice(base.length) : iri;
}

function cell(term, base, labels) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const href = pageFor(term.value, base);
    const node = href ? document.createElement("a") : document.createElement("span");
    if (href) node.href = href;
    const label = labels.get(term.value);
    node.textContent = label ? label.text : shortIri(term.value, base);
    node.title = term.value;
    td.appendChild(node);
    if (label) {
      const iri = document.createElement("span");
      iri.className = "muted iri-short";
      iri.textContent = " " + shortIri(term.value, base);
      td.appendChild(iri);
    }
    td.dataset.sort = label ? label.text : term.value;
  } else {
    td.textContent = term.value;
    td.dataset.sort = term.value;
    const badge = term["xml:lang"] || (term.datatype ? term.datatype.replace(/^.*[#/]/, "") : "");
    if (badge) {
      const span = document.createElement("span");
      span.className = "lang";
      span.textContent = " " + badge;
      td.appendChild(span);
    }
    if (term.datatype && /#(integer|decimal|double|float|int|long|nonNegativeInteger)$/.test(term.datatype)) {
      td.dataset.number = term.value;
    }
  }
  return td;
}

function compare(a, b) {
  if (a.dataset.number !== undefined && b.dataset.number !== undefined) return Number(a.dataset.number) - Number(b.dataset.number);
  return (a.dataset.sort || "").localeCompare(b.dataset.sort || "", undefined, {numeric: true, sensitivity: "base"});
}

class ResultTable {
  // A table of rows (arrays of <td>), sortable by any column, shown PAGE_SIZE rows at a time.
  constructor(columns, rows, target) {
    this.columns = columns;
    this.rows = rows;
    this.order = rows.slice();
    this.page = 0;
    this.table = document.createElement("table");
    this.table.className = "results";
    const head = this.table.createTHead().insertRow();
    columns.forEach((name, index) => {
      const th = document.createElement("th");
      th.scope = "col";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = name;
      button.addEventListener("click", () => this.sort(index, th));
      th.appendChild(button);
      head.appendChild(th);
    });
    this.body = this.table.createTBody();
    this.pager = document.createElement("p");
    this.pager.className = "pager";
    target.append(this.table, this.pager);
    this.show();
  }

  sort(index, th) {
    const descending = th.getAttribute("aria-sort") === "ascending";
    for (const other of this.table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    this.order = this.rows.slice().sort((a, b) => compare(a[index], b[index]) * (descending ? -1 : 1));
    this.page = 0;
    this.show();
  }

  show() {
    const first = this.page * PAGE_SIZE, last = Math.min(first + PAGE_SIZE, this.order.length);
    const rows = this.order.slice(first, last).map((cells) => {
      const row = document.createElement("tr");
      row.append(...cells);
      return row;
    });
    this.body.replaceChildren(...rows);
    this.pager.replaceChildren();
    if (this.order.length <= PAGE_SIZE) return;
    const pages = Math.ceil(this.order.length / PAGE_SIZE);
    const button = (text, page) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.disabled = page < 0 || page >= pages;
      b.addEventListener("click", () => { this.page = page; this.show(); });
      return b;
    };
    const where = document.createElement("span");
    where.className = "muted";
    where.textContent = ` ${tr("rows")} ${first + 1}–${last} ${tr("of|count")} ${this.order.length} `;
    this.pager.append(button(tr("← Previous"), this.page - 1), where, button(tr("Next →"), this.page + 1));
  }
}

function iriValues(rows) {
  const iris = new Set();
  for (const row of rows) for (const term of Object.values(row)) if (term && term.type === "uri") iris.add(term.value);
  return iris;
}

// N-Triples, one triple per line: enough to show a CONSTRUCT/DESCRIBE result as a table.
const NT_TERM = /<([^>]*)>|(_:\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?/g;

function unescapeNt(text) {
  return text.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)/g, (m, u, U, c) =>
    u || U ? String.fromCodePoint(parseInt(u || U, 16)) : ({t: "\t", n: "\n", r: "\r", b: "\b", f: "\f"}[c] ?? c));
}

function parseNTriples(text) {
  const triples = [];
  for (const line of text.split("\n")) {
    const terms = [];
    let match;
    NT_TERM.lastIndex = 0;
    while ((match = NT_TERM.exec(line)) !== null && terms.length < 3) {
      if (match[1] !== undefined) terms.push({type: "uri", value: match[1]});
      else if (match[2] !== undefined) terms.push({type: "bnode", value: match[2]});
      else {
        const literal = {type: "literal", value: unescapeNt(match[3])};
        if (match[4]) literal["xml:lang"] = match[4];
        if (match[5]) literal.datatype = match[5];
        terms.push(literal);
      }
    }
    if (terms.length === 3) triples.push({subject: terms[0], predicate: terms[1], object: terms[2]});
  }
  return triples;
}

// --- running ----------------------------------------------------------------------------------------------------

function markError(message, textarea, pre) {
  const position = message.match(/line (\d+), column (\d+)/);
  if (!position) return null;
  const [line, column] = [Number(position[1]), Number(position[2])];
  const lines = textarea.value.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, text) => n + text.length + 1, 0) + column - 1;
  const text = textarea.value;
  const end = Math.min(text.length, offset + Math.max(1, (text.slice(offset).match(/^\S+/) || [""])[0].length));
  pre.innerHTML = highlight(text.slice(0, offset)).replace(/\n$/, "") +
    `<mark class="tok-error" title="${escapeHtml(message)}">${escapeHtml(text.slice(offset, end) || " ")}</mark>` +
    highlight(text.slice(end));
  return {line, column};
}

async function download(query, format, name) {
  const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query, format})});
  if (!response.ok) {
    const error = document.getElementById("error");
    error.textContent = await response.text();
    error.hidden = false;
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function showDownloads(query, kind) {
  const downloads = document.getElementById("downloads");
  const formats = kind === "graph" ? [["Turtle", "turtle", "ttl"], ["N-Triples", "ntriples", "nt"],
    ["JSON-LD", "jsonld", "jsonld"]] : [["CSV", "csv", "csv"], ["TSV", "tsv", "tsv"], ["JSON", "json", "srj"]];
  const links = formats.map(([label, format, suffix]) => {
    const a = document.createElement("a");
    const url = `/sparql?format=${format}&query=${encodeURIComponent(query)}`;
    a.href = url.length <= LONG_URL ? url : "#";
    a.textContent = label;
    a.addEventListener("click", (event) => { event.preventDefault(); download(query, format, `result.${suffix}`); });
    return a;
  });
  downloads.replaceChildren(tr("Download:") + " ");
  links.forEach((a, i) => downloads.append(...(i ? [" · ", a] : [a])));
  downloads.hidden = false;
}

async function run(query, {push = true} = {}) {
  const status = document.getElementById("status"), results = document.getElementById("results");
  const error = document.getElementById("error"), notice = document.getElementById("notice");
  const downloads = document.getElementById("downloads"), share = document.getElementById("share");
  const textarea = document.getElementById("query"), pre = document.getElementById("highlight");
  results.replaceChildren();
  error.hidden = notice.hidden = downloads.hidden = true;
  delete error.dataset.line;
  delete error.dataset.column;
  status.textContent = tr("Running…");
  const link = await permalink(query);
  if (push && link !== window.location.href) window.history.pushState({query}, "", link);
  share.href = link;
  share.hidden = false;
  const started = performance.now();
  let response;
  try {
    response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
      headers: {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}});
  } catch (err) {
    status.textContent = "";
    error.textContent = `${tr("The server could not be reached:")} ${err}`;
    error.hidden = false;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (!response.ok) {
    status.textContent = `HTTP ${response.status}`;
    error.textContent = await response.text();
    const position = markError(error.textContent, textarea, pre);
    if (position) [error.dataset.line, error.dataset.column] = [position.line, position.column];
    error.hidden = false;
    return;
  }
  const capped = response.headers.get("X-SPARQL-MaxRows");
  const type = response.headers.get("Content-Type") || "";
  const base = results.dataset.base;
  if (type.startsWith("application/sparql-results+json")) {
    const data = await response.json();
    if ("boolean" in data) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = data.boolean ? "true" : "false";
      results.appendChild(p);
      status.textContent = `${tr("ASK answered in")} ${seconds} s`;
    } else {
      const rows = data.results.bindings;
      const labels = await labelsFor(iriValues(rows), base);
      const panel = document.createElement("div");
      results.append(panel);
      new ResultTable(data.head.vars.map((v) => "?" + v),
        rows.map((row) => data.head.vars.map((v) => cell(row[v], base, labels))), panel);
      ResultViews.offer({vars: data.head.vars, rows, labels, base}, panel, results);
      status.textContent = `${rows.length} ${tr(rows.length === 1 ? "row" : "rows")} ${tr("in")} ${seconds} s`;
      showDownloads(query, "results");
    }
  } else {
    const triples = parseNTriples(await response.text());
    const labels = await labelsFor(iriValues(triples), base);
    const panel = document.createElement("div");
    results.append(panel);
    new ResultTable(["subject", "predicate", "object"],
      triples.map((t) => [cell(t.subject, base, labels), cell(t.predicate, base, labels), cell(t.object, base, labels)]),
      panel);
    ResultViews.offer({triples, labels, base}, panel, results);
    status.textContent = `${triples.length} ${tr(triples.length === 1 ? "triple" : "triples")} ${tr("in")} ${seconds} s`;
    showDownloads(query, "graph");
  }
  if (capped) {
    notice.textContent = `${tr("The result was cut at")} ${capped} ${tr("rows (the row cap). Download or refine the query.")}`;
    notice.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  const textarea = document.getElementById("query"), pre = document.getElementById("highlight");
  const refresh = () => { pre.innerHTML = highlight(textarea.value); pre.scrollTop = textarea.scrollTop; };
  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", () => { pre.scrollTop = textarea.scrollTop; pre.scrollLeft = textarea.scrollLeft; });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run(textarea.value);
    }
  });
  document.getElementById("query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(textarea.value);
  });
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => { textarea.value = button.dataset.query; refresh(); run(textarea.value); });
  }
  window.addEventListener("popstate", async () => {  // Back and Forward: the query of that entry, run again
    const query = await queryFromUrl();
    textarea.value = query || "";
    refresh();
    if (query) run(query, {push: false});
    else document.getElementById("results").replaceChildren();
  });
  const query = await queryFromUrl();
  if (query) {
    textarea.value = query;
    refresh();
    run(query, {push: false});
  } else {
    refresh();
  }
});
