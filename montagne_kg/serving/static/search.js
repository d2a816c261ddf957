// Suggestions as you type in every search box (the /search/suggest JSON twin); picking one opens its page.
"use strict";
document.querySelectorAll('input[type="search"][name="q"]').forEach((input, n) => {
  const list = document.createElement("datalist");
  list.id = `suggestions-${n}`;
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  input.after(list);
  let pages = new Map();
  let pending = null;
  input.addEventListener("input", () => {
    const text = input.value.trim();
    if (pages.has(input.value)) {
      window.location.href = pages.get(input.value);
      return;
    }
    clearTimeout(pending);
    if (text.length < 2) return;
    pending = setTimeout(async () => {
      const response = await fetch(`/search/suggest?q=${encodeURIComponent(text)}`);
      if (!response.ok) return;
      const answer = await response.json();
      pages = new Map(answer.suggestions.map((s) => [s.label, s.page]));
      list.replaceChildren(...answer.suggestions.map((s) => {
        const option = document.createElement("option");
        option.value = s.label;
        option.label = s.class;
        return option;
      }));
    }, 120);
  });
});
