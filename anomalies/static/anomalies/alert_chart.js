// Draws an alert's series from the JSON embedded in its page: actual sales (and stock on
// hand for stock alerts, on a second axis), the expected line with its p10–p90 band, the
// event shaded, promotions shaded, calendar events and supply receipts marked.
(function () {
  "use strict";

  const COLORS = { actual: "#1d2433", expected: "#2458d6", band: "rgba(36, 88, 214, 0.15)",
    stock: "#2a8a5a", event: "rgba(214, 48, 49, 0.16)", promo: "rgba(217, 130, 43, 0.13)",
    calendar: "#7a3fb0", receipt: "#2a8a5a" };

  function nextDay(iso) {
    const day = new Date(iso + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + 1);
    return day.toISOString().slice(0, 10);
  }

  function traces(data) {
    const out = [];
    const e = data.expected;
    if (e.low && e.low.length) {
      out.push({ x: e.x, y: e.high, type: "scatter", mode: "lines", line: { width: 0 },
        hoverinfo: "skip", showlegend: false, name: "p90" });
      out.push({ x: e.x, y: e.low, type: "scatter", mode: "lines", line: { width: 0 },
        fill: "tonexty", fillcolor: COLORS.band, name: "Expected range (p10–p90)",
        customdata: e.high, hovertemplate: "%{x}<br>Expected %{y:,.1f}–%{customdata:,.1f} units<extra></extra>" });
    }
    if (e.x.length) {
      out.push({ x: e.x, y: e.y, type: "scatter", mode: "lines", name: "Expected",
        line: { color: COLORS.expected, width: 1.6, dash: "dot" },
        hovertemplate: "%{x}<br>Expected %{y:,.1f} units<extra></extra>" });
    }
    if (data.actual.x.length) {
      out.push({ x: data.actual.x, y: data.actual.y, type: "scatter", mode: "lines+markers",
        name: "Actual sales", line: { color: COLORS.actual, width: 1.6 }, marker: { size: 4 },
        hovertemplate: "%{x}<br>Sold %{y:,.1f} units<extra></extra>" });
    }
    if (data.stock.x.length) {
      out.push({ x: data.stock.x, y: data.stock.y, type: "scatter", mode: "lines", name: "Stock on hand",
        yaxis: data.actual.x.length ? "y2" : "y", line: { color: COLORS.stock, width: 1.6, shape: "hv" },
        hovertemplate: "%{x}<br>On hand %{y:,.0f} units<extra></extra>" });
    }
    if (data.events.length) {
      out.push({ x: data.events.map((ev) => ev.date), y: data.events.map(() => 0), type: "scatter",
        mode: "markers", name: "Calendar event", marker: { symbol: "triangle-up", size: 10, color: COLORS.calendar },
        text: data.events.map((ev) => ev.name + (ev.type ? ` (${ev.type})` : "")),
        hovertemplate: "%{x}<br>%{text}<extra>Event</extra>" });
    }
    const received = data.receipts.filter((r) => r.received);
    if (received.length) {
      out.push({ x: received.map((r) => r.received), y: received.map(() => 0), type: "scatter",
        mode: "markers", name: "Supply receipt", marker: { symbol: "diamond", size: 9, color: COLORS.receipt },
        text: received.map((r) => `${r.ref}: ${Math.round(r.quantity)} units<br>promised ${r.promised}`),
        hovertemplate: "%{x}<br>%{text}<extra>Receipt</extra>" });
    }
    return out;
  }

  function shapes(data) {
    const out = data.promotions.map((p) => ({ type: "rect", xref: "x", yref: "paper",
      x0: p.start, x1: nextDay(p.end), y0: 0, y1: 1, fillcolor: COLORS.promo, line: { width: 0 }, layer: "below" }));
    out.push({ type: "rect", xref: "x", yref: "paper", x0: data.event.start, x1: nextDay(data.event.end),
      y0: 0, y1: 1, fillcolor: COLORS.event, line: { width: 0 }, layer: "below" });
    return out;
  }

  function draw(element) {
    const source = document.getElementById(element.dataset.initial);
    if (!source || !window.Plotly) return;
    const data = JSON.parse(source.textContent);
    if (!data.actual.x.length && !data.stock.x.length) return;
    const twoAxes = data.actual.x.length && data.stock.x.length;
    const layout = {
      margin: { l: 56, r: twoAxes ? 64 : 16, t: 12, b: 40 }, height: 360,
      legend: { orientation: "h", y: -0.18 }, hovermode: "x unified",
      yaxis: { title: { text: data.actual.x.length ? "Sold (units)" : "On hand (units)" }, rangemode: "tozero" },
      shapes: shapes(data),
      annotations: [{ x: data.event.start, xref: "x", y: 1, yref: "paper", yanchor: "bottom",
        text: "event", showarrow: false, font: { color: "#b3261e", size: 11 } }],
    };
    if (twoAxes) {
      layout.yaxis2 = { title: { text: "On hand (units)" }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, tickformat: ",.0f" };
    }
    element.replaceChildren();
    window.Plotly.newPlot(element, traces(data), layout, { responsive: true, displaylogo: false });
  }

  document.querySelectorAll("[data-alert-chart]").forEach(draw);
})();
