// Result views chosen from a result's shape: a timeline when a column holds dates, a map when one holds points (WKT
// or latitude/longitude columns), a graph for CONSTRUCT/DESCRIBE results and for rows linking IRIs. Drawn by the
// libraries in static/vendor (Observable Plot on d3, Cytoscape.js; see VERSIONS), loaded only when a view is
// opened. Offline: the map's outline is Natural Earth's 1:110m land (world-atlas), no tiles. Uses query.js's
// pageFor (IRI → our page) and tr (the interface's words).
"use strict";

const ResultViews = (() => {
  const VENDOR = "/static/vendor/";
  const loading = new Map();
  const DATE = /#(date|dateTime|dateTimeStamp|gYear|gYearMonth)$/;
  const POINT = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+(?:[eE]-?\d+)?)\s+(-?[\d.]+(?:[eE]-?\d+)?)\s*\)\s*$/i;
  const MAX_EDGES = 400;

  function script(name) {
    if (!loading.has(name)) {
      loading.set(name, new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = VENDOR + name;
        tag.onload = resolve;
        tag.onerror = () => reject(new Error(`could not load ${name}`));
        document.head.appendChild(tag);
      }));
    }
    return loading.get(name);
  }

  function columnOf(vars, rows, test) {
    return vars.filter((v) => {
      const terms = rows.map((row) => row[v]).filter(Boolean);
      return terms.length > 0 && terms.every(test);
    });
  }

  function asDate(term) {
    const value = term.value;
    if (/#gYear$/.test(term.datatype)) return new Date(`${value.slice(0, 4)}-01-01T00:00:00Z`);
    if (/#gYearMonth$/.test(term.datatype)) return new Date(`${value.slice(0, 7)}-01T00:00:00Z`);
    return new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  }

  function named(term, labels) {
    if (!term) return "";
    const label = term.type === "uri" ? labels.get(term.value) : null;
    return label ? label.text : term.value;
  }

  // --- what a result offers -----------------------------------------------------------------------------------

  function shapes(result) {
    const offered = [];
    if (result.triples) {
      offered.push("graph");
      return offered;
    }
    const {vars, rows} = result;
    const dates = columnOf(vars, rows, (t) => t.type === "literal" && DATE.test(t.datatype || ""));
    if (dates.length) offered.push("timeline");
    const points = columnOf(vars, rows, (t) => t.type === "literal" && POINT.test(t.value));
    const lat = vars.find((v) => /^(lat|latitude)$/i.test(v)), lon = vars.find((v) => /^(lon|lng|long|longitude)$/i.test(v));
    if (points.length || (lat && lon)) offered.push("map");
    if (columnOf(vars, rows, (t) => t.type === "uri").length >= 2) offered.push("graph");
    return offered;
  }

  // --- views ----------------------------------------------------------------------------------------------------

  async function timeline(result, target) {
    await script("d3.min.js");
    await script("plot.umd.min.js");
    const {vars, rows, labels} = result;
    const dateVar = columnOf(vars, rows, (t) => t.type === "literal" && DATE.test(t.datatype || ""))[0];
    const nameVar = vars.find((v) => v !== dateVar);
    const events = rows.filter((row) => row[dateVar]).map((row) => ({
      date: asDate(row[dateVar]), name: nameVar ? named(row[nameVar], labels) : row[dateVar].value,
      title: vars.map((v) => `?${v}: ${named(row[v], labels)}`).join("\n")}));
    const names = [...new Set(events.map((e) => e.name))];
    target.append(Plot.plot({
      width: Math.max(320, target.clientWidth), height: Math.min(900, 60 + 26 * names.length), marginLeft: 12,
      x: {type: "utc", label: `?${dateVar}`, grid: true}, y: {axis: null, domain: names},
      marks: [Plot.ruleY(names, {stroke: "#d9e0e5"}), Plot.dot(events, {x: "date", y: "name", r: 5, fill: "#1f6f8b",
        title: "title"}), Plot.text(events, {x: "date", y: "name", text: "name", dy: -10, textAnchor: "start",
        lineWidth: 24})],
    }));
    target.dataset.marks = events.length;
  }

  async function map(result, target) {
    await script("d3.min.js");
    await script("plot.umd.min.js");
    await script("topojson-client.min.js");
    const {vars, rows, labels} = result;
    const pointVar = columnOf(vars, rows, (t) => t.type === "literal" && POINT.test(t.value))[0];
    const lat = vars.find((v) => /^(lat|latitude)$/i.test(v)), lon = vars.find((v) => /^(lon|lng|long|longitude)$/i.test(v));
    const nameVar = vars.find((v) => v !== pointVar && v !== lat && v !== lon);
    const points = rows.map((row) => {
      let x, y;
      if (pointVar && row[pointVar]) [, x, y] = row[pointVar].value.match(POINT).map(Number);
      else if (lat && lon && row[lat] && row[lon]) [x, y] = [Number(row[lon].value), Number(row[lat].value)];
      return {x, y, name: nameVar ? named(row[nameVar], labels) : ""};
    }).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    const topology = await (await fetch(VENDOR + "land-110m.json")).json();
    const land = topojson.feature(topology, topology.objects.land);
    target.append(Plot.plot({
      width: Math.max(320, target.clientWidth), projection: "equal-earth",
      marks: [Plot.sphere({stroke: "#d9e0e5"}), Plot.geo(land, {fill: "#e8eef2", stroke: "#b8c4cc"}),
        Plot.dot(points, {x: "x", y: "y", r: 4, fill: "#c0392b", title: "name"}),
        Plot.text(points, {x: "x", y: "y", text: "name", dy: -9, fontSize: 11})],
    }));
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Offline map: the outline is Natural Earth's 1:110m land (world-atlas); no tiles are fetched.";
    target.append(note);
    target.dataset.marks = points.length;
  }

  async function graph(result, target) {
    await script("cytoscape.min.js");
    const {labels, base} = result;
    const nodes = new Map(), edges = [];
    const node = (term) => {
      if (!nodes.has(term.value)) {
        nodes.set(term.value, {data: {id: term.value, label: named(term, labels) || term.value.replace(base, ""),
          href: term.type === "uri" ? pageFor(term.value, base) : null}});
      }
      return term.value;
    };
    const link = (from, relation, to) => {
      if (edges.length < MAX_EDGES) {
        edges.push({data: {id: `e${edges.length}`, source: node(from), target: node(to), label: relation}});
      }
    };
    if (result.triples) {
      for (const t of result.triples) {
        if (t.object.type !== "literal") link(t.subject, named(t.predicate, labels) || t.predicate.value, t.object);
      }
    } else {
      const iris = columnOf(result.vars, result.rows, (t) => t.type === "uri");
      for (const row of result.rows) {
        for (const v of iris.slice(1)) if (row[iris[0]] && row[v]) link(row[iris[0]], `?${v}`, row[v]);
      }
    }
    const canvas = document.createElement("div");
    canvas.className = "graph-view";
    target.append(canvas);
    // Cytoscape adds an inline <style> (« position: relative » for its container) unless an element with this id
    // exists: the page's content security policy allows no inline style, and style.css gives the position
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      const marker = document.createElement("meta");
      marker.id = "__________cytoscape_stylesheet";
      document.head.append(marker);
    }
    const cy = cytoscape({
      container: canvas, elements: [...nodes.values(), ...edges], wheelSensitivity: 0.3,
      layout: {name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 90},
      style: [
        {selector: "node", style: {"label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
          "background-color": "#1f6f8b", "color": "#1d2a33", "text-valign": "bottom", "text-margin-y": 4, "width": 14, "height": 14}},
        {selector: "edge", style: {"label": "data(label)", "font-size": 9, "color": "#66737d", "curve-style": "bezier",
          "target-arrow-shape": "triangle", "line-color": "#9aa6b0", "target-arrow-color": "#7a8793", "width": 1.2,
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8}},
      ],
    });
    cy.on("tap", "node", (event) => { const href = event.target.data("href"); if (href) window.location.href = href; });
    target.dataset.nodes = nodes.size;
    target.dataset.edges = edges.length;
  }

  const VIEWS = {timeline: ["Timeline", timeline], map: ["Map", map], graph: ["Graph", graph]};

  // A tab bar above the table: Table, and each view the result's shape allows, drawn when first opened.
  function offer(result, table, target) {
    const offered = shapes(result);
    if (!offered.length) return;
    const bar = document.createElement("div");
    bar.className = "views";
    bar.setAttribute("role", "tablist");
    const panels = {table};
    const show = (name) => {
      for (const [key, panel] of Object.entries(panels)) panel.hidden = key !== name;
      for (const tab of bar.children) tab.setAttribute("aria-selected", String(tab.dataset.view === name));
    };
    const tab = (name, title) => {
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "tab");
      button.dataset.view = name;
      button.textContent = title;
      button.addEventListener("click", async () => {
        if (!panels[name]) {
          panels[name] = document.createElement("div");
          panels[name].className = `view view-${name}`;
          target.append(panels[name]);
          show(name);
          try {
            await VIEWS[name][1](result, panels[name]);
          } catch (err) {
            panels[name].textContent = `This view could not be drawn: ${err.message}`;
          }
        }
        show(name);
      });
      bar.append(button);
    };
    tab("table", tr("Table"));
    for (const name of offered) tab(name, tr(VIEWS[name][0]));
    target.prepend(bar);
    show("table");
  }

  return {offer, shapes};
})();
