// Draws the accuracy page's charts (by week, by lead time, category × region heat map)
// from the JSON embedded in the page, with the business target as a reference.
(function () {
  "use strict";

  const source = document.getElementById("accuracy-data");
  if (!source) { return; }
  const data = JSON.parse(source.textContent);
  const config = { responsive: true, displaylogo: false };
  const pct = (values) => values.map((v) => (v === null ? null : v * 100));
  const targetLine = (x0, x1) => ({ type: "line", xref: x0 === undefined ? "paper" : "x", yref: "y",
    x0: x0 === undefined ? 0 : x0, x1: x1 === undefined ? 1 : x1,
    y0: data.target * 100, y1: data.target * 100, line: { color: "#1d7a46", width: 1.5, dash: "dash" } });
  const target = { x: 1, xref: "paper", xanchor: "right", y: data.target * 100, yanchor: "bottom",
    text: `target ${Math.round(data.target * 100)} %`, showarrow: false,
    font: { size: 11, color: "#1d7a46" } };

  function weeks(element) {
    Plotly.react(element, [
      { x: data.weeks.x, y: pct(data.weeks.accuracy), type: "scatter", mode: "lines+markers",
        name: "Accuracy", line: { color: "#2458d6" },
        hovertemplate: "Week to %{x}<br>Accuracy %{y:.1f} %<extra></extra>" },
      { x: data.weeks.x, y: pct(data.weeks.bias), type: "scatter", mode: "lines", name: "Bias",
        line: { color: "#d9822b", dash: "dot" }, hovertemplate: "Bias %{y:+.1f} %<extra></extra>" },
    ], {
      margin: { l: 50, r: 10, t: 10, b: 30 }, height: 300, legend: { orientation: "h", y: 1.12 },
      yaxis: { title: { text: "%" }, zeroline: true }, xaxis: { type: "date" },
      shapes: [targetLine()], annotations: [target],
    }, config);
  }

  function leads(element) {
    Plotly.react(element, [
      { x: data.leads.x, y: pct(data.leads.accuracy), type: "bar", name: "Accuracy",
        marker: { color: "#2458d6" }, text: pct(data.leads.accuracy).map((v) => (v === null ? "" : v.toFixed(0) + " %")),
        textposition: "auto", hovertemplate: "%{x}<br>Accuracy %{y:.1f} %<extra></extra>" },
    ], {
      margin: { l: 45, r: 10, t: 10, b: 40 }, height: 300, showlegend: false,
      yaxis: { title: { text: "Accuracy %" }, rangemode: "tozero" },
      xaxis: { title: { text: "Periods ahead" }, type: "category" },
      shapes: [targetLine()], annotations: [target],
    }, config);
  }

  function heatmap(element) {
    const h = data.heatmap;
    const rows = Math.max(h.categories.length, 1);
    Plotly.react(element, [{
      type: "heatmap", x: h.regions, y: h.categories, z: h.z.map(pct), zmin: 0, zmax: 100,
      colorscale: [[0, "#b42318"], [data.target * 0.85, "#f3d9a4"], [data.target, "#e7f5ec"], [1, "#1d7a46"]],
      colorbar: { title: { text: "Accuracy %" }, thickness: 12 },
      texttemplate: "%{z:.0f}", hovertemplate: "%{y} × %{x}<br>Accuracy %{z:.1f} %<extra></extra>",
      xgap: 2, ygap: 2,
    }], {
      margin: { l: 110, r: 10, t: 30, b: 10 }, height: Math.min(60 + rows * 26, 640),
      xaxis: { side: "top", type: "category" }, yaxis: { autorange: "reversed", type: "category" },
    }, config);
  }

  const draw = { weeks, leads, heatmap };
  document.querySelectorAll("[data-accuracy-chart]").forEach((element) => {
    draw[element.dataset.accuracyChart](element);
  });
})();
