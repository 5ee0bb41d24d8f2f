// Draws the In the Know measures charts from the JSON the page embeds with json_script
// (#messaging-measures-data): no inline script, so a strict Content Security Policy holds. Every
// chart repeats a table on the page; without JavaScript, or if Chart.js fails to load, the tables
// remain.
(function () {
  "use strict";

  // Okabe–Ito colours: distinguishable with the common forms of colour blindness.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  // Shapes as well as colours tell the lines apart.
  var SHAPES = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "cross", "line"];
  // Below Bootstrap's sm breakpoint: a phone held upright.
  var NARROW = window.matchMedia ? window.matchMedia("(max-width: 575.98px)") : { matches: false };

  function isNarrow() {
    return NARROW.matches;
  }

  function axis(title, extra) {
    var options = { beginAtZero: true, ticks: { precision: 0 }, title: { display: Boolean(title), text: title || "" } };
    return Object.assign(options, extra || {});
  }

  function dataset(spec, index, chartType) {
    var colour = PALETTE[index % PALETTE.length];
    var result = Object.assign({ borderColor: colour, backgroundColor: colour }, spec);
    if ((spec.type || chartType) === "line") {
      // A line over bars is drawn last (lower order), or the bars hide it.
      Object.assign(result, {
        fill: false,
        pointStyle: SHAPES[index % SHAPES.length],
        pointRadius: 4,
        borderWidth: 2,
        order: 0,
      });
    } else {
      result.order = 1;
    }
    return result;
  }

  function monthTick(value) {
    var label = this.getLabelForValue(value);
    // "Dec 2025" as two lines on a phone, so eighteen months fit without slanting.
    return isNarrow() && typeof label === "string" ? label.split(" ") : label;
  }

  // On a phone the axis titles would take a third of the width (the heading above each chart and
  // the legend already say what is shown), and the legend is smaller.
  function fitToScreen(options) {
    var narrow = isNarrow();
    Object.keys(options.scales).forEach(function (key) {
      var scale = options.scales[key];
      if (scale.title && scale.title.text) scale.title.display = !narrow;
    });
    options.scales.x.ticks = Object.assign(options.scales.x.ticks || {}, {
      maxRotation: narrow ? 0 : 50,
      font: { size: narrow ? 11 : 12 },
    });
    options.plugins.legend.labels = {
      boxWidth: narrow ? 12 : 40,
      font: { size: narrow ? 11 : 12 },
      sort: function (a, b) {
        return a.datasetIndex - b.datasetIndex;
      },
    };
    return options;
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
