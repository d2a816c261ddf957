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

function pageFor(iri, base) {
  if (iri.startsWith(base + "id/release/")) return "/page/release/" + iri.slice((base + "id/release/").length).split("#")[0];
  if (iri.startsWith(base + "id/")) return "/page/" + iri.slice((base + "id/").length);
  if (iri.startsWith(base + "ontology")) return "/ontology" + (iri.includes("#") ? "#" + iri.split("#")[1] : "");
  return /^https?:\/\//.test(iri) ? iri : null;
}

function cell(term, base) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const href = pageFor(term.value, base);
    const node = href ? document.createElement("a") : document.createElement("span");
    if (href) node.href = href;
    node.textContent = term.value.startsWith(base) ? term.value.slice(base.length) : term.value;
    node.title = term.value;
    td.appendChild(node);
  } else {
    td.textContent = term.value;
    const badge = term["xml:lang"] || (term.datatype ? term.datatype.replace(/^.*[#/]/, "") : "");
    if (badge) {
      const span = document.createElement("span");
      span.className = "lang";
      span.textContent = " " + badge;
      td.appendChild(span);
    }
  }
  return td;
}

function renderTable(data, base, target) {
  const table = document.createElement("table");
  table.className = "results";
  const head = table.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const v of data.head.vars) row.appendChild(cell(binding[v], base));
  }
  target.appendChild(table);
  return data.results.bindings.length;
}

async function run(query) {
  const status = document.getElementById("status"), results = document.getElementById("results");
  const error = document.getElementById("error"), notice = document.getElementById("notice");
  const downloads = document.getElementById("downloads");
  results.replaceChildren();
  error.hidden = notice.hidden = downloads.hidden = true;
  status.textContent = "Running…";
  const url = new URL(window.location.href);
  url.searchParams.set("query", query);
  window.history.replaceState(null, "", url);
  const encoded = encodeURIComponent(query);
  document.getElementById("download-csv").href = `/sparql?format=csv&query=${encoded}`;
  document.getElementById("download-json").href = `/sparql?format=json&query=${encoded}`;
  const started = performance.now();
  let response;
  try {
    response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
  } catch (err) {
    status.textContent = "";
    error.textContent = "The server could not be reached: " + err;
    error.hidden = false;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (!response.ok) {
    status.textContent = `HTTP ${response.status}`;
    error.textContent = await response.text();
    const position = error.textContent.match(/error at (\d+):(\d+)/);
    if (position) error.dataset.line = position[1], error.dataset.column = position[2];
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
      status.textContent = `ASK answered in ${seconds} s`;
    } else {
      const n = renderTable(data, base, results);
      status.textContent = `${n} row${n === 1 ? "" : "s"} in ${seconds} s`;
      downloads.hidden = false;
    }
  } else {
    const pre = document.createElement("pre");
    pre.className = "graph";
    pre.textContent = await response.text();
    results.appendChild(pre);
    status.textContent = `graph in ${seconds} s`;
  }
  if (capped) {
    notice.textContent = `The result was cut at ${capped} rows (the row cap). Download or refine the query.`;
    notice.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const textarea = document.getElementById("query"), pre = document.getElementById("highlight");
  const refresh = () => { pre.innerHTML = highlight(textarea.value); pre.scrollTop = textarea.scrollTop; };
  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", () => { pre.scrollTop = textarea.scrollTop; pre.scrollLeft = textarea.scrollLeft; });
  refresh();
  document.getElementById("query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(textarea.value);
  });
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => { textarea.value = button.dataset.query; refresh(); run(textarea.value); });
  }
  if (new URL(window.location.href).searchParams.get("query")) run(textarea.value);
});
