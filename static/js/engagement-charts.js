// Draws the engagement analytics charts from the JSON the page embeds with json_script
// (#engagement-data): no inline script, so a strict Content Security Policy holds. Every chart
// repeats a table on the page; without JavaScript, or if Chart.js fails to load, the tables remain.
(function () {
  "use strict";

  // Okabe–Ito colours: distinguishable with the common forms of colour blindness.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  var SHAPES = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "cross", "line"];
  // Below Bootstrap's sm breakpoint: a phone held upright.
  var NARROW = window.matchMedia ? window.matchMedia("(max-width: 575.98px)") : { matches: false };
  var BAR_HEIGHT_PX = 22;

  function isNarrow() {
    return NARROW.matches;
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function axis(title, extra) {
    var options = { beginAtZero: true, title: { display: Boolean(title), text: title || "" } };
    return Object.assign(options, extra || {});
  }

  function dataset(spec, index, chartType) {
    var colour = PALETTE[index % PALETTE.length];
    var result = Object.assign({ borderColor: colour, backgroundColor: colour }, spec);
    if ((spec.type || chartType) === "line") {
      // Shapes as well as colours tell the lines apart; a line over bars is drawn last (lower
      // order), or the bars hide it.
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

  // On a phone the axis titles would take a third of the width (the heading above each chart and
  // the legend already say what is shown), month labels go on two lines instead of slanting, and
  // the legend is smaller.
  function fitToScreen(options, horizontal) {
    var narrow = isNarrow();
    Object.keys(options.scales).forEach(function (key) {
      var scale = options.scales[key];
      if (scale.title && scale.title.text) scale.title.display = !narrow;
    });
    var categoryAxis = options.scales[horizontal ? "y" : "x"];
    categoryAxis.ticks = Object.assign(categoryAxis.ticks || {}, {
      maxRotation: narrow ? 0 : 50,
      font: { size: narrow ? 11 : 12 },
    });
    options.plugins.legend.labels = {
      boxWidth: narrow ? 12 : 40,
      font: { size: narrow ? 11 : 12 },
      // The legend keeps the datasets' own order, whatever order they are drawn in.
      sort: byDatasetIndex,
    };
    return options;
  }

  function byDatasetIndex(a, b) {
    return a.datasetIndex - b.datasetIndex;
  }

  function monthTick(value) {
    var label = this.getLabelForValue(value);
    // "Dec 2025" as two lines on a phone, so twelve months fit without slanting.
    return isNarrow() && typeof label === "string" ? label.split(" ") : label;
  }

  function trendChart(canvas, spec) {
    var stacked = Boolean(spec.stacked);
    var scales = {
      x: { stacked: stacked, ticks: { callback: monthTick } },
      y: axis(spec.yTitle, { stacked: stacked, ticks: { precision: 0 } }),
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
      options: fitToScreen(
        {
          interaction: { mode: "index", intersect: false },
          scales: scales,
          plugins: { legend: { position: "bottom" } },
        },
        false
      ),
    };
  }

  // With many areas a line each is a tangle (and the legend outgrows the chart), so the page asks
  // for one bar per area instead: its total for the period, largest first.
  function totalsChart(canvas, spec) {
    var rows = spec.datasets
      .map(function (d) {
        var total = d.data.reduce(function (sum, value) {
          return sum + (value || 0);
        }, 0);
        return { label: d.label, total: total };
      })
      .sort(function (a, b) {
        return b.total - a.total;
      });
    canvas.parentNode.style.height = Math.max(288, rows.length * BAR_HEIGHT_PX + 64) + "px";
    return {
      type: "bar",
      data: {
        labels: rows.map(function (r) {
          return r.label;
        }),
        datasets: [
          {
            label: spec.yTitle,
            data: rows.map(function (r) {
              return r.total;
            }),
            backgroundColor: PALETTE[0],
            borderColor: PALETTE[0],
          },
        ],
      },
      options: fitToScreen(
        {
          indexAxis: "y",
          scales: {
            x: axis(spec.yTitle + " in the period", { position: "top", ticks: { precision: 0 } }),
            y: {
              ticks: {
                autoSkip: false,
                callback: function (value) {
                  return shorten(this.getLabelForValue(value), isNarrow() ? 18 : 36);
                },
              },
            },
          },
          plugins: { legend: { display: false, position: "bottom" } },
        },
        true
      ),
    };
  }

  function draw(spec, reduceMotion) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return null;
    var horizontal = canvas.dataset.summary === "totals";
    var config = horizontal ? totalsChart(canvas, spec) : trendChart(canvas, spec);
    Object.assign(config.options, {
      responsive: true,
      // The figure's CSS height decides the size, so a phone gets a chart tall enough to read.
      maintainAspectRatio: false,
      animation: reduceMotion ? false : undefined,
    });
    var chart = new window.Chart(canvas, config);
    chart.$horizontal = horizontal;
    return chart;
  }

  function start() {
    var source = document.getElementById("engagement-data");
    if (!source || !window.Chart) return;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var charts = JSON.parse(source.textContent)
      .charts.map(function (spec) {
        return draw(spec, reduceMotion);
      })
      .filter(Boolean);
    if (NARROW.addEventListener) {
      NARROW.addEventListener("change", function () {
        charts.forEach(function (chart) {
          fitToScreen(chart.options, chart.$horizontal);
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
