// Draws the weekly sales chart from the JSON embedded in the page, and redraws it from the
// scoped JSON endpoint when the grouping or measure changes (the form also works without JS).
(function () {
  "use strict";

  function draw(element, payload) {
    const traces = payload.series.map((s) => ({
      x: payload.weeks, y: s.values, name: s.name, type: "scatter", mode: "lines",
      connectgaps: false, hovertemplate: "%{x}<br>%{y:,.0f}<extra>" + s.name + "</extra>",
    }));
    const empty = element.querySelector(".empty-chart");
    if (empty) { empty.hidden = traces.length > 0; }
    if (!traces.length) { Plotly.purge(element); return; }
    Plotly.react(element, traces, {
      margin: { l: 60, r: 20, t: 10, b: 30 }, height: 320, showlegend: true,
      legend: { orientation: "h", y: -0.12 },
      yaxis: { title: { text: payload.measure === "units" ? "Units per week" : "Sales value per week" },
        rangemode: "tozero" },
      xaxis: { type: "date" },
    }, { responsive: true, displaylogo: false });
  }

  function init(element) {
    const initial = document.getElementById(element.dataset.initial);
    draw(element, JSON.parse(initial.textContent));
    const form = document.querySelector(`[data-chart-controls="${element.id}"]`);
    if (!form) { return; }
    form.addEventListener("change", async () => {
      const url = new URL(element.dataset.source, window.location.origin);
      for (const [key, value] of new FormData(form)) { url.searchParams.set(key, value); }
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) { draw(element, await response.json()); }
    });
  }

  document.querySelectorAll("[data-weekly-chart]").forEach(init);
})();
