// Draws the engagement analytics charts from the JSON the page embeds with json_script
// (#engagement-data): no inline script, so a strict Content Security Policy holds. Every chart
// repeats a table on the page; without JavaScript, or if Chart.js fails to load, the tables remain.
(function () {
  "use strict";

  var kit = window.PactCharts;
  var NARROW = kit.NARROW;
  var isNarrow = kit.isNarrow;
  var axis = kit.axis;
  var dataset = kit.dataset;
  var monthTick = kit.monthTick;
  var BAR_HEIGHT_PX = 22;

  function fitToScreen(options, horizontal) {
    return kit.fitToScreen(options, horizontal ? "y" : "x");
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
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
            backgroundColor: kit.PALETTE[0],
            borderColor: kit.PALETTE[0],
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
