// Draws a store × SKU's projected stock: the stock line, safety stock and reorder point as
// levels, incoming orders as bars, and below it the daily demand forecast with its p10–p90 band.
(function () {
  "use strict";
  const COLORS = { stock: "#1d2433", safety: "#c0392b", reorder: "#d9822b", upTo: "#7a3fb0",
    incoming: "rgba(36, 140, 80, 0.55)", forecast: "#2458d6", band: "rgba(36, 88, 214, 0.15)" };

  function level(x, value, name, color, dash) {
    return { x: [x[0], x[x.length - 1]], y: [value, value], type: "scatter", mode: "lines", name: name,
      line: { color: color, width: 1.5, dash: dash }, xaxis: "x", yaxis: "y",
      hovertemplate: `${name} %{y:,.1f} units<extra></extra>` };
  }

  function draw(element) {
    const data = JSON.parse(document.getElementById(element.dataset.policyChart).textContent);
    if (!data.x.length) { return; }
    const traces = [
      { x: data.x, y: data.projected, type: "scatter", mode: "lines", name: "Projected stock",
        line: { color: COLORS.stock, width: 2, shape: "hv" }, xaxis: "x", yaxis: "y",
        hovertemplate: "%{x}<br>Stock %{y:,.1f} units<extra></extra>" },
      level(data.x, data.safety_stock, "Safety stock", COLORS.safety, "dot"),
      level(data.x, data.reorder_point, "Reorder point", COLORS.reorder, "dash"),
    ];
    if (data.order_up_to !== null && data.order_up_to !== undefined) {
      traces.push(level(data.x, data.order_up_to, "Order up to", COLORS.upTo, "dashdot"));
    }
    if (data.incoming.length) {
      traces.push({ x: data.incoming.map((o) => o.date), y: data.incoming.map((o) => o.quantity),
        type: "bar", name: "Incoming", marker: { color: COLORS.incoming }, xaxis: "x", yaxis: "y",
        width: 86400000 * 0.8, textposition: "none",
        text: data.incoming.map((o) => `${o.what} (${o.status})`),
        hovertemplate: "%{x}<br>%{text}: %{y:,.0f} units<extra></extra>" });
    }
    traces.push({ x: data.x, y: data.p90, type: "scatter", mode: "lines", line: { width: 0 },
      hoverinfo: "skip", showlegend: false, xaxis: "x", yaxis: "y2" });
    traces.push({ x: data.x, y: data.p10, type: "scatter", mode: "lines", line: { width: 0 },
      fill: "tonexty", fillcolor: COLORS.band, name: "Demand p10–p90", xaxis: "x", yaxis: "y2",
      customdata: data.p90, hovertemplate: "p10 %{y:,.1f} – p90 %{customdata:,.1f}<extra></extra>" });
    traces.push({ x: data.x, y: data.forecast, type: "scatter", mode: "lines", name: "Demand forecast",
      line: { color: COLORS.forecast, width: 1.6 }, xaxis: "x", yaxis: "y2",
      hovertemplate: "%{x}<br>Forecast %{y:,.1f} units/day<extra></extra>" });
    Plotly.react(element, traces, {
      margin: { l: 60, r: 15, t: 10, b: 30 }, height: 460, barmode: "overlay",
      legend: { orientation: "h", y: 1.1, x: 0 }, hovermode: "x unified",
      grid: { rows: 2, columns: 1, roworder: "top to bottom" },
      yaxis: { title: { text: "Stock (units)" }, rangemode: "tozero", domain: [0.38, 1] },
      yaxis2: { title: { text: "Demand (units/day)" }, rangemode: "tozero", domain: [0, 0.28] },
      xaxis: { type: "date", anchor: "y2" },
    }, { responsive: true, displaylogo: false });
  }

  document.querySelectorAll("[data-policy-chart]").forEach(draw);
})();
