// Draws ward boundaries on every .ward-map element. Boundaries come from the portal's own
// GeoJSON, so the map stays useful when the tile server is unreachable (tiles are decoration).
(function () {
  "use strict";

  var baseStyle = { color: "#1d4ed8", weight: 2, fillOpacity: 0.12 };
  var highlightStyle = { color: "#b91c1c", weight: 3, fillOpacity: 0.25 };

  function tileLayer(el) {
    var url = el.dataset.tileUrl;
    if (!url) return null;
    var layer = L.tileLayer(url, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" });
    layer.on("tileerror", function () {
      el.dataset.tilesFailed = "true";
    });
    return layer;
  }

  function wardLabel(props) {
    var label = props.name;
    if (props.neighbourhood_name) label += " – " + props.neighbourhood_name + " neighbourhood";
    return label;
  }

  function drawMap(el) {
    // Quarter-step zoom lets fitBounds fill the box instead of stopping at the next whole level out.
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 });
    var tiles = tileLayer(el);
    if (tiles) tiles.addTo(map);
    map.setView([53.8, -2.6], 9);

    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            return feature.properties.code === el.dataset.highlight ? highlightStyle : baseStyle;
          },
          onEachFeature: function (feature, featureLayer) {
            var props = feature.properties;
            // Leaflet treats a string tooltip as HTML; an element filled by textContent keeps names inert.
            var tip = document.createElement("span");
            tip.textContent = wardLabel(props);
            featureLayer.bindTooltip(tip, { sticky: true });
            featureLayer.on("add", function () {
              featureLayer.getElement().dataset.wardCode = props.code;
            });
            featureLayer.on("click", function (event) {
              // Without this the click also reaches the map's own handler and navigates twice.
              L.DomEvent.stopPropagation(event);
              if (props.neighbourhood_url) {
                window.location.assign(props.neighbourhood_url);
              } else if (el.dataset.locateUrl) {
                locate(el, event.latlng);
              }
            });
          },
        }).addTo(map);
        // No animation: the boundaries are where they will stay once data-ready is set.
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false });
        el.dataset.wardCount = String(layer.getLayers().length);
        el.dataset.ready = "true";
      })
      .catch(function (error) {
        el.dataset.error = String(error);
        var note = document.createElement("p");
        note.className = "alert alert-warning mt-2";
        note.setAttribute("role", "status");
        // The page gives the message in its own language (data-load-error, from includes/ward_map.html).
        note.textContent = el.dataset.loadError || "The ward boundaries could not be loaded. Please search by name instead.";
        el.after(note);
      });

    if (el.dataset.locateUrl) {
      map.on("click", function (event) {
        locate(el, event.latlng);
      });
    }
  }

  function locate(el, latlng) {
    var url = new URL(el.dataset.locateUrl, window.location.href);
    url.searchParams.set("lat", latlng.lat.toFixed(6));
    url.searchParams.set("lng", latlng.lng.toFixed(6));
    window.location.assign(url.toString());
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".ward-map").forEach(drawMap);
  });
})();
