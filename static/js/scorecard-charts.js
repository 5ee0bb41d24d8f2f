// Draws the scorecard's trend charts, one per section, from the JSON the page embeds with
// json_script (#scorecard-data): no inline script, so a strict Content Security Policy holds. The
// table under the charts holds the same figures for anyone without JavaScript.
(function () {
  "use strict";

  function draw(chart, labels) {
    var canvas = document.getElementById(chart.id);
    if (!canvas || !window.Chart || !chart.series.length) return;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: chart.series.map(function (s) {
          return { label: s.label, data: s.data, spanGaps: false, tension: 0 };
        }),
      },
      options: {
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: { y: chart.percent ? { min: 0, max: 100 } : { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("scorecard-data");
    if (!node) return;
    var data = JSON.parse(node.textContent);
    data.charts.forEach(function (chart) {
      draw(chart, data.labels);
    });
  });
})();
