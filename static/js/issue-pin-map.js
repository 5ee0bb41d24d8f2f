// Shows where a resident put the pin, on each .issue-pin-map (data-lat / data-lng). A map inside a
// closed <details> is drawn when it is first opened: a triage queue of thirty issues would otherwise
// fetch thirty maps' tiles at once, and Leaflet cannot size a map it cannot see. Queues swapped in by
// htmx are picked up from its load event. The pin is a vector circle, so it shows without tiles.
(function () {
  "use strict";

  var pinStyle = { radius: 9, color: "#b91c1c", weight: 3, fillColor: "#ef4444", fillOpacity: 0.9 };

  function draw(el) {
    if (el.dataset.ready) return;
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (!isFinite(lat) || !isFinite(lng)) return;
    var map = L.map(el, { scrollWheelZoom: false, dragging: !L.Browser.mobile }).setView([lat, lng], 16);
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    L.circleMarker([lat, lng], pinStyle).addTo(map);
    el.dataset.ready = "true";
  }

  function watch(root) {
    root.querySelectorAll(".issue-pin-map").forEach(function (el) {
      if (el.dataset.watched) return;
      el.dataset.watched = "true";
      var details = el.closest("details");
      if (!details) return draw(el);
      if (details.open) draw(el);
      details.addEventListener("toggle", function () {
        if (details.open) draw(el);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watch(document);
  });
  document.addEventListener("htmx:load", function (event) {
    watch(event.target);
  });
})();
