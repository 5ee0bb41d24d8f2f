// Draws the representation index bar chart from the JSON the page embeds with json_script
// (#representation-data): no inline script, so a strict Content Security Policy holds. The tables
// on the page carry the same figures; without JavaScript they remain.
(function () {
  "use strict";

  var kit = window.PactCharts;

  function start() {
    var source = document.getElementById("representation-data");
    var canvas = document.getElementById("chart-representation");
    if (!source || !canvas || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var options = kit.fitToScreen({
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : undefined,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: {},
        // 100 is "in proportion": whole numbers only on the axis.
        y: kit.axis("Representation index (100 = in proportion)", { ticks: { precision: 0 } }),
      },
      plugins: { legend: { position: "bottom" } },
    });
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return kit.dataset(d, i, "bar");
        }),
      },
      options: options,
    });
    if (kit.NARROW.addEventListener) {
      kit.NARROW.addEventListener("change", function () {
        kit.fitToScreen(chart.options);
        chart.update("none");
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
