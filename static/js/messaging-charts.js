// Draws the In the Know measures charts from the JSON the page embeds with json_script
// (#messaging-measures-data): no inline script, so a strict Content Security Policy holds. Every
// chart repeats a table on the page; without JavaScript, or if Chart.js fails to load, the tables
// remain.
(function () {
  "use strict";

  var kit = window.PactCharts;
  var NARROW = kit.NARROW;
  var dataset = kit.dataset;
  var monthTick = kit.monthTick;
  var fitToScreen = kit.fitToScreen;

  // Members and messages are whole numbers: no "2.5" on an axis.
  function axis(title, extra) {
    return kit.axis(title, Object.assign({ ticks: { precision: 0 } }, extra || {}));
  }

  function config(spec, reduceMotion) {
    var stacked = Boolean(spec.stacked);
    var scales = {
      x: { stacked: stacked, ticks: { callback: monthTick } },
      y: axis(spec.yTitle, { stacked: stacked }),
    };
    if (spec.y1Title) {
      scales.y1 = axis(spec.y1Title, { position: "right", grid: { drawOnChartArea: false } });
    }
    return {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return dataset(d, i, spec.type);
        }),
      },
      options: fitToScreen({
        responsive: true,
        // The figure's CSS height decides the size, so a phone gets a chart tall enough to read.
        maintainAspectRatio: false,
        animation: reduceMotion ? false : undefined,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      }),
    };
  }

  function start() {
    var source = document.getElementById("messaging-measures-data");
    if (!source || !window.Chart) return;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var charts = JSON.parse(source.textContent)
      .charts.map(function (spec) {
        var canvas = document.getElementById(spec.id);
        return canvas ? new window.Chart(canvas, config(spec, reduceMotion)) : null;
      })
      .filter(Boolean);
    if (NARROW.addEventListener) {
      NARROW.addEventListener("change", function () {
        charts.forEach(function (chart) {
          fitToScreen(chart.options);
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
