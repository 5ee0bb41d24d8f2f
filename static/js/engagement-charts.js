// Draws the engagement analytics charts from the JSON the page embeds with json_script
// (#engagement-data): no inline script, so a strict Content Security Policy holds. Every chart
// repeats a table on the page; without JavaScript, or if Chart.js fails to load, the tables remain.
(function () {
  "use strict";

  // Okabe–Ito colours: distinguishable with the common forms of colour blindness.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  var SHAPES = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "cross", "line"];

  function axis(title, extra) {
    var options = { beginAtZero: true, title: { display: Boolean(title), text: title || "" } };
    return Object.assign(options, extra || {});
  }

  function dataset(spec, index, chartType) {
    var colour = PALETTE[index % PALETTE.length];
    var result = Object.assign({ borderColor: colour, backgroundColor: colour }, spec);
    if ((spec.type || chartType) === "line") {
      // Shapes as well as colours tell the lines apart.
      Object.assign(result, { fill: false, pointStyle: SHAPES[index % SHAPES.length], pointRadius: 4, borderWidth: 2 });
    }
    return result;
  }

  function draw(spec, reduceMotion) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var stacked = Boolean(spec.stacked);
    var scales = {
      x: { stacked: stacked },
      y: axis(spec.yTitle, { stacked: stacked, ticks: { precision: 0 } }),
    };
    if (spec.y1Title) {
      scales.y1 = axis(spec.y1Title, { position: "right", grid: { drawOnChartArea: false } });
    }
    var datasets = spec.datasets.map(function (d, i) {
      return dataset(d, i, spec.type);
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        aspectRatio: 2.2,
        animation: reduceMotion ? false : undefined,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function start() {
    var source = document.getElementById("engagement-data");
    if (!source || !window.Chart) return;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    JSON.parse(source.textContent).charts.forEach(function (spec) {
      draw(spec, reduceMotion);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
