// Draws the scenarios' inventory cost and average stock beside the baseline, from the JSON
// embedded in the comparison; redrawn when htmx swaps a refreshed comparison in.
(function () {
  "use strict";

  function draw() {
    const holder = document.getElementById("scenario-chart");
    const source = document.getElementById("scenario-chart-data");
    if (!holder || !source || !window.Plotly) return;
    const data = JSON.parse(source.textContent);
    const currency = holder.dataset.currency || "";
    const bar = (name, values, color) => ({
      type: "bar", name: name, x: data.names, y: values, marker: { color: color },
      hovertemplate: "%{x}<br>" + name + " %{y:,.0f} " + currency + "<extra></extra>",
    });
    window.Plotly.newPlot(holder, [
      bar("Inventory cost", data.total_cost, "#2458d6"),
      bar("Average stock at cost", data.average_stock_value, "#d9822b"),
    ], {
      barmode: "group", margin: { t: 10, r: 10, b: 40, l: 70 },
      yaxis: { title: { text: currency }, rangemode: "tozero" },
      legend: { orientation: "h" },
    }, { displayModeBar: false, responsive: true });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
