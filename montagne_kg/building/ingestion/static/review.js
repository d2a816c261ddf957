// The review page: j/k move between rows (names, then facts), a accepts, r rejects; every decision is POSTed and
// saved at once. A name is added from a selection of the text, a fact from menus filtered by domain and range.
"use strict";
const rows = Array.from(document.querySelectorAll(".row"));
const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);
const status = document.getElementById("status");
let current = -1;

function select(index) {
  if (index < 0 || index >= rows.length) return;
  if (current >= 0) rows[current].classList.remove("current");
  document.querySelectorAll("mark.selected").forEach((m) => m.classList.remove("selected"));
  current = index;
  const row = rows[current];
  row.classList.add("current");
  row.scrollIntoView({ block: "nearest" });
  const lines = row.dataset.fact === undefined ? [row.dataset.line] : [row.dataset.subject, row.dataset.object]
    .map((slug) => document.querySelector(`#rows .row[data-slug="${CSS.escape(slug)}"]`))
    .filter((r) => r).map((r) => r.dataset.line);
  const marks = Array.from(document.querySelectorAll(".text mark")).filter((m) => m.dataset.lines.split(" ").some((l) => lines.includes(l)));
  marks.forEach((m) => m.classList.add("selected"));
  if (marks.length) marks[0].scrollIntoView({ block: "nearest" });
}

async function post(url, payload) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const answer = await response.json();
  if (!response.ok) {
    status.textContent = answer.error;
    status.className = "error";
    return null;
  }
  status.className = "";
  return answer;
}

async function decideFact(row, decision) {
  const answer = await post(`facts/${row.dataset.fact}`, { decision });
  if (!answer) return;
  row.querySelector(".decision").textContent = answer.fact.decision || "undecided";
  row.classList.toggle("decided", answer.fact.decision !== "");
  status.textContent = `saved: ${answer.fact.subject} ${answer.fact.property} ${answer.fact.object} → ${answer.fact.decision}`;
}

async function decide(row, decision) {
  if (row.dataset.fact !== undefined) return decideFact(row, decision);
  const response = await fetch(`rows/${row.dataset.line}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ decision }),
  });
  const answer = await response.json();
  if (!response.ok) {
    status.textContent = answer.error;
    status.className = "error";
    return;
  }
  row.querySelector("input.decision").value = answer.row.decision;
  row.classList.toggle("decided", answer.row.decision !== "");
  status.textContent = `saved: « ${answer.row.form} » → ${answer.row.decision || "undecided"}`;
  status.className = "";
}

rows.forEach((row, index) => {
  row.addEventListener("click", () => select(index));
  row.querySelector("button.accept").addEventListener("click", () => decide(row, "accept"));
  row.querySelector("button.reject").addEventListener("click", () => decide(row, "reject"));
  if (row.dataset.fact !== undefined) return;
  row.querySelector("select.kind").addEventListener("change", (e) => decide(row, `kind:${e.target.value}`));
  row.querySelector("input.same").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.value.trim()) decide(row, `same:${e.target.value.trim()}`);
  });
  row.querySelector("input.decision").addEventListener("keydown", (e) => {
    if (e.key === "Enter") decide(row, e.target.value);
  });
});

document.querySelectorAll(".text mark").forEach((mark) => {
  mark.addEventListener("click", () => {
    const line = mark.dataset.lines.split(" ")[0];
    select(rows.findIndex((r) => r.dataset.line === line));
  });
});

document.addEventListener("keydown", (e) => {
  if (e.target.matches("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === "j") select(current + 1);
  else if (e.key === "k") select(Math.max(0, current - 1));
  else if (e.key === "a" && current >= 0) decide(rows[current], "accept");
  else if (e.key === "r" && current >= 0) decide(rows[current], "reject");
  else return;
  e.preventDefault();
});

// the offset in the stored text of a point of a selection: its segment's data-start plus the offset inside it
function offset(node, within) {
  const segment = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node).closest("[data-start]");
  return segment ? Number(segment.dataset.start) + within : null;
}

document.getElementById("add-name").addEventListener("click", async () => {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) {
    status.textContent = "select the name in the text first";
    status.className = "error";
    return;
  }
  const range = selection.getRangeAt(0);
  const start = offset(range.startContainer, range.startOffset);
  const end = offset(range.endContainer, range.endOffset);
  const kind = document.getElementById("new-kind").value;
  const answer = await post("rows", { start, end, kind });
  if (answer) window.location.reload();
});

const subject = document.getElementById("fact-subject");
const property = document.getElementById("fact-property");
// the properties whose domain the subject's classes hold
function offerProperties() {
  const classes = vocabulary.entities[subject.value] || [];
  property.replaceChildren(...Object.entries(vocabulary.properties)
    .filter(([, p]) => !p.domain || classes.includes(p.domain))
    .map(([name]) => new Option(name, name)));
}
subject.addEventListener("change", offerProperties);
offerProperties();

document.getElementById("add-fact").addEventListener("submit", async (e) => {
  e.preventDefault();
  const value = document.getElementById("fact-value").value.trim();
  const object = value || document.getElementById("fact-object").value;
  const answer = await post("facts", { subject: subject.value, property: property.value, object });
  if (answer) window.location.reload();
});
