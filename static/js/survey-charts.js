// Draws the survey results and trends charts from the JSON the page embeds with json_script
// (#survey-charts-data): no inline script, so a strict Content Security Policy holds. Every chart
// repeats a table on the page. A figure hidden by disclosure control arrives as null and is drawn
// as a gap, never as zero.
(function () {
  "use strict";

  var kit = window.PactCharts;

  function config(spec, reduceMotion) {
    var horizontal = Boolean(spec.horizontal);
    var valueAxis = kit.axis(spec.yTitle, spec.percent ? { max: 100, ticks: { precision: 0 } } : { ticks: { precision: 0 } });
    var categoryAxis = {};
    var scales = horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis };
    return {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return kit.dataset(Object.assign({ spanGaps: false }, d), i, spec.type);
        }),
      },
      options: kit.fitToScreen(
        {
          indexAxis: horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: reduceMotion ? false : undefined,
          interaction: { mode: "index", intersect: false },
          scales: scales,
          plugins: { legend: { position: "bottom", display: spec.datasets.length > 1 } },
        },
        horizontal ? "y" : "x"
      ),
    };
  }

  function start() {
    var source = document.getElementById("survey-charts-data");
    if (!source || !window.Chart) return;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var charts = JSON.parse(source.textContent)
      .charts.map(function (spec) {
        var canvas = document.getElementById(spec.id);
        return canvas ? new window.Chart(canvas, config(spec, reduceMotion)) : null;
      })
      .filter(Boolean);
    if (kit.NARROW.addEventListener) {
      kit.NARROW.addEventListener("change", function () {
        charts.forEach(function (chart) {
          kit.fitToScreen(chart.options, chart.options.indexAxis === "y" ? "y" : "x");
          chart.update("none");
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
