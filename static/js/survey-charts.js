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

  // The results page's parts are closed <details>: a contents link, or an address ending in a
  // part's #id, opens that part (and any part around it) before the browser scrolls to it.
  function openPart(hash) {
    var target = hash && hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }

  function setUpParts() {
    var parts = document.querySelectorAll("details.results-part");
    if (!parts.length) return;
    openPart(window.location.hash);
    window.addEventListener("hashchange", function () {
      openPart(window.location.hash);
    });
    var contents = document.querySelector("[data-results-contents]");
    contents.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link) openPart(link.getAttribute("href"));
      var button = event.target.closest("button[data-open-parts]");
      if (button) {
        var open = button.getAttribute("data-open-parts") === "true";
        parts.forEach(function (part) {
          part.open = open;
        });
      }
    });
    contents.querySelector("[data-results-toggles]").hidden = false;
    // Paper shows every part; the screen goes back to what was open.
    var wasOpen = [];
    window.addEventListener("beforeprint", function () {
      wasOpen = Array.prototype.map.call(parts, function (part) {
        return part.open;
      });
      parts.forEach(function (part) {
        part.open = true;
      });
    });
    window.addEventListener("afterprint", function () {
      parts.forEach(function (part, i) {
        part.open = wasOpen[i];
      });
    });
  }

  function ready() {
    setUpParts();
    start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
