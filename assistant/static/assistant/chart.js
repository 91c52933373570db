// Draws chart answers with Plotly from the data the server computed for a validated chart
// specification (labels, series with units); the page's table holds the same numbers.
(function () {
  "use strict";

  function draw(element, payload) {
    const series = payload.series || [];
    const empty = element.querySelector(".empty-chart");
    if (!series.length) {
      if (empty) { empty.textContent = "No data matches this chart in your scope."; }
      return;
    }
    if (empty) { empty.remove(); }
    const kind = payload.chart_type || "line";
    const bars = kind === "bar" || kind === "stacked_bar";
    const traces = series.map((s) => ({
      x: payload.labels, y: s.values, name: s.unit ? `${s.name} (${s.unit})` : s.name,
      type: bars ? "bar" : "scatter", mode: bars ? undefined : "lines+markers",
    }));
    const units = [...new Set(series.map((s) => s.unit).filter(Boolean))];
    Plotly.react(element, traces, {
      margin: { l: 60, r: 20, t: 30, b: 40 }, height: 340, showlegend: true,
      title: { text: payload.title || "", font: { size: 14 } },
      legend: { orientation: "h", y: -0.18 }, barmode: kind === "stacked_bar" ? "stack" : "group",
      yaxis: { title: { text: units.join(", ") }, rangemode: "tozero" },
    }, { responsive: true, displaylogo: false });
    element.dataset.drawn = "true";
  }

  async function init(element) {
    if (element.dataset.drawn) { return; }
    if (element.dataset.initial) {
      draw(element, JSON.parse(document.getElementById(element.dataset.initial).textContent));
      return;
    }
    const response = await fetch(element.dataset.source, { headers: { Accept: "application/json" } });
    if (response.ok) { draw(element, await response.json()); }
  }

  function scan(root) { root.querySelectorAll("[data-assistant-chart]").forEach(init); }
  scan(document);
  // Answers arrive by HTMX polling: draw the charts of each swapped-in answer.
  document.body.addEventListener("htmx:load", (event) => scan(event.detail.elt.parentNode || document));
})();
