// What every chart page shares: colours and point shapes that survive colour blindness, axes,
// datasets, and the phone layout. Loaded before a page's own chart script, which reads
// window.PactCharts; no inline script, so a strict Content Security Policy holds.
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
    var options = { beginAtZero: true, title: { display: Boolean(title), text: title || "" } };
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
  // the legend already say what is shown), category labels do not slant, and the legend is smaller.
  function fitToScreen(options, categoryAxisKey) {
    var narrow = isNarrow();
    Object.keys(options.scales).forEach(function (key) {
      var scale = options.scales[key];
      if (scale.title && scale.title.text) scale.title.display = !narrow;
    });
    var categoryAxis = options.scales[categoryAxisKey || "x"];
    categoryAxis.ticks = Object.assign(categoryAxis.ticks || {}, {
      maxRotation: narrow ? 0 : 50,
      font: { size: narrow ? 11 : 12 },
    });
    options.plugins.legend.labels = {
      boxWidth: narrow ? 12 : 40,
      font: { size: narrow ? 11 : 12 },
      // The legend keeps the datasets' own order, whatever order they are drawn in.
      sort: function (a, b) {
        return a.datasetIndex - b.datasetIndex;
      },
    };
    return options;
  }

  window.PactCharts = {
    PALETTE: PALETTE,
    NARROW: NARROW,
    isNarrow: isNarrow,
    axis: axis,
    dataset: dataset,
    monthTick: monthTick,
    fitToScreen: fitToScreen,
  };
})();
