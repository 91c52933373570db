// Draws the forecast explorer chart from the JSON embedded in the result panel: actuals,
// the same periods last year, backtest fits, the forecast with its p10–p90 band, promotions (shaded), a store's
// closures and unreported periods (shaded grey) and calendar events (markers). Redrawn whenever htmx swaps in a new result panel.
(function () {
  "use strict";

  const COLORS = { actual: "#1d2433", lastYear: "#9aa3b5", backtest: "#d9822b", forecast: "#2458d6",
    band: "rgba(36, 88, 214, 0.15)", promo: "rgba(217, 130, 43, 0.12)", event: "#7a3fb0" };

  function traces(data) {
    const out = [];
    const f = data.forecast;
    if (f.x.length) {
      out.push({ x: f.x, y: f.p90, type: "scatter", mode: "lines", line: { width: 0 },
        hoverinfo: "skip", showlegend: false, name: "p90" });
      out.push({ x: f.x, y: f.p10, type: "scatter", mode: "lines", line: { width: 0 },
        fill: "tonexty", fillcolor: COLORS.band, name: "p10–p90",
        customdata: f.p90, hovertemplate: "p10 %{y:,.1f} – p90 %{customdata:,.1f}<extra></extra>" });
    }
    if (data.last_year.x.length) {
      out.push({ x: data.last_year.x, y: data.last_year.y, type: "scatter", mode: "lines",
        name: "Last year", line: { color: COLORS.lastYear, width: 1.2, dash: "dash" },
        hovertemplate: "%{x}<br>Last year %{y:,.1f}<extra></extra>" });
    }
    out.push({ x: data.history.x, y: data.history.y, type: "scatter", mode: "lines",
      name: "Actual", line: { color: COLORS.actual, width: 1.4 },
      hovertemplate: "%{x}<br>Actual %{y:,.1f}<extra></extra>" });
    if (data.backtest.x.length) {
      out.push({ x: data.backtest.x, y: data.backtest.y, type: "scatter", mode: "lines",
        name: "Backtest fit", line: { color: COLORS.backtest, width: 1.4, dash: "dot" },
        connectgaps: false, hovertemplate: "%{x}<br>Backtest %{y:,.1f}<extra></extra>" });
    }
    if (f.x.length) {
      out.push({ x: f.x, y: f.y, type: "scatter", mode: "lines", name: "Forecast",
        line: { color: COLORS.forecast, width: 2 },
        hovertemplate: "%{x}<br>Forecast %{y:,.1f}<extra></extra>" });
    }
    if (data.promotions.length) {
      out.push({ x: data.promotions.map((p) => p.start), y: data.promotions.map(() => 0),
        type: "scatter", mode: "markers", name: "Promotion",
        marker: { symbol: "square", size: 9, color: "rgba(217, 130, 43, 0.55)" },
        text: data.promotions.map((p) => `${p.name}<br>${p.start} → ${p.end}${p.detail ? "<br>" + p.detail : ""}`),
        hovertemplate: "%{text}<extra>Promotion</extra>" });
    }
    if ((data.unavailable || []).length) {
      out.push({ x: data.unavailable.map((u) => u.start), y: data.unavailable.map(() => 0),
        type: "scatter", mode: "markers", name: "Closed or not reported",
        marker: { symbol: "square", size: 9, color: "rgba(120, 120, 130, 0.55)" },
        text: data.unavailable.map((u) => `${u.label}<br>${u.start} → ${u.end}`),
        hovertemplate: "%{text}<extra></extra>" });
    }
    if (data.events.length) {
      out.push({ x: data.events.map((e) => e.date), y: data.events.map(() => 0),
        type: "scatter", mode: "markers", name: "Event",
        marker: { symbol: "triangle-up", size: 10, color: COLORS.event },
        text: data.events.map((e) => e.name + (e.type ? ` (${e.type})` : "")),
        hovertemplate: "%{x}<br>%{text}<extra>Event</extra>" });
    }
    return out;
  }

  function shapes(data) {
    const out = data.promotions.map((p) => ({
      type: "rect", xref: "x", yref: "paper", x0: p.start, x1: p.end, y0: 0, y1: 1,
      fillcolor: COLORS.promo, line: { width: 0 }, layer: "below",
    }));
    (data.unavailable || []).forEach((u) => out.push({
      type: "rect", xref: "x", yref: "paper", x0: u.start, x1: u.until, y0: 0, y1: 1,
      fillcolor: "rgba(120, 120, 130, 0.18)", line: { width: 0 }, layer: "below",
    }));
    if (data.origin) {
      out.push({ type: "line", xref: "x", yref: "paper", x0: data.origin, x1: data.origin,
        y0: 0, y1: 1, line: { color: "#8a93a6", width: 1, dash: "dash" } });
    }
    return out;
  }

  function draw(element) {
    const source = document.getElementById(element.dataset.initial);
    if (!source) { return; }
    const data = JSON.parse(source.textContent);
    if (!data.history.x.length && !data.forecast.x.length) { return; }
    const period = data.granularity === "W" ? "per week" : "per day";
    const measure = data.measure === "units" ? "Units"
      : `Sales value (${element.dataset.currency || ""})`;
    Plotly.react(element, traces(data), {
      margin: { l: 55, r: 15, t: 10, b: 30 }, height: 380,
      legend: { orientation: "h", y: 1.08, x: 0, traceorder: "normal" },
      hovermode: "x unified",
      shapes: shapes(data),
      yaxis: { title: { text: `${measure} ${period}` }, rangemode: "tozero", fixedrange: false },
      xaxis: { type: "date" },
    }, { responsive: true, displaylogo: false });
  }

  function drawAll(root) {
    root.querySelectorAll("[data-forecast-chart]").forEach(draw);
  }

  drawAll(document);
  document.body.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
