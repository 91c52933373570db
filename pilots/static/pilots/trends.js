// Draws each KPI's weekly figure of the control and the experimental group from the JSON
// embedded in the KPI page, with the pilot's start marked by a dashed line.
(function () {
  "use strict";
  const source = document.getElementById("pilot-trends");
  if (!source || !window.Plotly) return;
  const data = JSON.parse(source.textContent);
  const config = { responsive: true, displaylogo: false, displayModeBar: false };

  function axis(unit, currency) {
    if (unit === "share") return { tickformat: ".0%", rangemode: "tozero" };
    if (unit === "money_per_day") return { title: { text: currency + " per store-day" }, rangemode: "tozero" };
    if (unit === "per_year") return { title: { text: "turns a year" }, rangemode: "tozero" };
    return { title: { text: "series out per day" }, rangemode: "tozero" };
  }

  function hover(unit) {
    return unit === "share" ? "%{y:.1%}" : "%{y:,.2f}";
  }

  document.querySelectorAll("[data-trend-chart]").forEach((element) => {
    const chart = data.charts[Number(element.dataset.trendChart)];
    if (!chart || !chart.x.length) return;
    const line = (name, values, color) => ({
      x: chart.x, y: values, name: name, type: "scatter", mode: "lines+markers",
      line: { color: color }, marker: { size: 5 }, connectgaps: false,
      hovertemplate: "Week of %{x}<br>" + name + ": " + hover(chart.unit) + "<extra></extra>",
    });
    const layout = {
      margin: { l: 56, r: 12, t: 8, b: 36 }, height: 260,
      legend: { orientation: "h", y: -0.25 },
      xaxis: { type: "date" }, yaxis: axis(chart.unit, element.dataset.currency || ""),
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: data.start, x1: data.start, y0: 0, y1: 1,
        line: { color: "#b3261e", dash: "dash", width: 1.5 } }],
      annotations: [{ xref: "x", yref: "paper", x: data.start, y: 1, yanchor: "bottom", xanchor: "left",
        text: "start", showarrow: false, font: { color: "#b3261e", size: 11 } }],
    };
    element.replaceChildren();
    window.Plotly.newPlot(element, [
      line("Control", chart.control, "#9aa3b5"),
      line("Experimental", chart.experimental, "#2458d6"),
    ], layout, config);
  });
})();
