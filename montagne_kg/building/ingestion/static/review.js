// The review page: j/k move between rows, a accepts, r rejects; every decision is POSTed and saved at once.
"use strict";
const rows = Array.from(document.querySelectorAll("#rows .row"));
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
  const line = row.dataset.line;
  const marks = Array.from(document.querySelectorAll(".text mark")).filter((m) => m.dataset.lines.split(" ").includes(line));
  marks.forEach((m) => m.classList.add("selected"));
  if (marks.length) marks[0].scrollIntoView({ block: "nearest" });
}

async function decide(row, decision) {
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
