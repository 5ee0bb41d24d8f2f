// Puts a meeting's venue on every .venue-map element, from its data-lat / data-lng attributes.
// The marker is a vector circle, not an image icon, so it still shows when the tile server (or
// Leaflet's marker images) cannot be reached: tiles are decoration, the venue is the point.
(function () {
  "use strict";

  var markerStyle = { radius: 10, color: "#b91c1c", weight: 3, fillColor: "#ef4444", fillOpacity: 0.85 };

  function tileLayer(el) {
    var url = el.dataset.tileUrl;
    if (!url) return null;
    var layer = L.tileLayer(url, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
    layer.on("tileerror", function () {
      el.dataset.tilesFailed = "true";
    });
    return layer;
  }

  function drawVenue(el) {
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (!isFinite(lat) || !isFinite(lng)) return;
    // On a touch screen one-finger dragging would pan the map instead of scrolling the page past it,
    // trapping a phone user on a map that fills the screen width; two-finger pinch still zooms.
    var map = L.map(el, { scrollWheelZoom: false, dragging: !L.Browser.mobile }).setView([lat, lng], 16);
    var tiles = tileLayer(el);
    if (tiles) tiles.addTo(map);
    var marker = L.circleMarker([lat, lng], markerStyle).addTo(map);
    if (el.dataset.label) {
      // Leaflet treats a string tooltip as HTML; an element filled by textContent keeps the name inert.
      var tip = document.createElement("span");
      tip.textContent = el.dataset.label;
      marker.bindTooltip(tip, { direction: "top", offset: [0, -8] });
    }
    marker.getElement().dataset.venueMarker = "true";
    el.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".venue-map").forEach(drawVenue);
  });
})();
