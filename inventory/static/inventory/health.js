// Draws a category's service-versus-stock curve: average stock value (x) against the target
// service level (y), hovering each point with what the step to it costs.
(function () {
  "use strict";
  function draw(element) {
    const data = JSON.parse(document.getElementById(element.dataset.tradeoffChart).textContent);
    const currency = element.dataset.currency || "";
    const points = data.points;
    Plotly.react(element, [{
      x: points.map((p) => p.safety_stock_value), y: points.map((p) => p.target_percent),
      type: "scatter", mode: "lines+markers", name: "Safety stock",
      line: { color: "#2458d6", width: 2 }, marker: { size: 8 },
      customdata: points.map((p) => [p.average_stock_value, p.cost_per_point === null ? "—" : p.cost_per_point.toLocaleString(undefined, { maximumFractionDigits: 0 })]),
      hovertemplate: `%{y:.1f} % service<br>safety stock %{x:,.0f} ${currency}<br>average stock %{customdata[0]:,.0f} ${currency}<br>per extra point: %{customdata[1]} ${currency}<extra></extra>`,
    }], {
      margin: { l: 60, r: 15, t: 10, b: 45 }, height: 340,
      xaxis: { title: { text: `Safety stock (${currency} at cost)` } },
      yaxis: { title: { text: `${data.target_label} (%)` } },
    }, { responsive: true, displaylogo: false });
  }
  document.querySelectorAll("[data-tradeoff-chart]").forEach(draw);
})();
