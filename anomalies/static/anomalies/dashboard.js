// Draws the anomalies dashboard's charts from the JSON embedded in the page: verdict
// precision by week against the target, and alerts by kind and by severity per week.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || !window.Plotly) return;
  const data = JSON.parse(source.textContent);
  const base = { margin: { l: 48, r: 16, t: 8, b: 40 }, height: 300, legend: { orientation: "h", y: -0.2 } };
  const config = { responsive: true, displaylogo: false };

  function empty(element, text) {
    const note = document.createElement("p");
    note.className = "muted empty-chart";
    note.textContent = text;
    element.replaceChildren(note);
  }

  function shift(iso, days) {
    const day = new Date(iso + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + days);
    return day.toISOString().slice(0, 10);
  }

  function precision(element) {
    const p = data.precision;
    if (!p.x.length) return empty(element, "No verdicts yet: confirm or dismiss alerts to see precision.");
    const line = { x: p.x, y: p.y, customdata: p.judged, type: "scatter", mode: "lines+markers",
      name: "Precision", line: { color: "#2458d6" }, marker: { size: 8 },
      hovertemplate: "Week to %{x}<br>%{y:.1%} of %{customdata} verdicts<extra></extra>" };
    // The target spans the whole plot; a lone week gets a fortnight around it, not milliseconds.
    const xaxis = { type: "date" };
    if (p.x.length === 1) xaxis.range = [shift(p.x[0], -10), shift(p.x[0], 10)];
    const layout = { ...base, xaxis, yaxis: { tickformat: ".0%", range: [0, 1.05] },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: data.target, y1: data.target,
        line: { color: "#2a8a5a", dash: "dash", width: 1.5 } }],
      annotations: [{ xref: "paper", x: 1, xanchor: "right", y: data.target, yanchor: "bottom",
        text: `target ${Math.round(data.target * 100)} %`, showarrow: false, font: { color: "#2a8a5a", size: 11 } }] };
    window.Plotly.newPlot(element, [line], layout, config);
  }

  // Severities read from calm to alarming; kinds keep Plotly's qualitative palette.
  const SEVERITY_COLORS = { Low: "#9aa3b5", Medium: "#e0b040", High: "#e07b28", Critical: "#b3261e" };

  function stacked(element, series) {
    if (!series.x.length) return empty(element, "No alerts in your scope yet.");
    const traces = series.traces.map((t) => {
      const trace = { x: series.x, y: t.y, name: t.name, type: "bar",
        hovertemplate: `Week to %{x}<br>${t.name}: %{y}<extra></extra>` };
      if (SEVERITY_COLORS[t.name]) trace.marker = { color: SEVERITY_COLORS[t.name] };
      return trace;
    });
    window.Plotly.newPlot(element, traces, { ...base, barmode: "stack", yaxis: { title: { text: "alerts" } } }, config);
  }

  document.querySelectorAll("[data-dashboard-chart]").forEach((element) => {
    const name = element.dataset.dashboardChart;
    if (name === "precision") precision(element);
    else stacked(element, data[name]);
  });
})();
