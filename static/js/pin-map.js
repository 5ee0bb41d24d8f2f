// A map for saying where a concern is: a click drops a pin and fills the form's hidden latitude
// and longitude, and picks the ward clicked in the ward list when it is there. The server finds
// the ward from the pin itself; choosing a ward from the list by hand removes the pin, so the
// two never disagree. Without JavaScript the map stays hidden and the ward list does the job.
(function () {
  "use strict";

  var wardStyle = { color: "#1d4ed8", weight: 2, fillOpacity: 0.08 };
  var pinStyle = { radius: 9, color: "#b91c1c", weight: 3, fillColor: "#ef4444", fillOpacity: 0.9 };

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function setup(el) {
    var wrap = el.closest(".pin-map-wrap");
    var latInput = byId(el.dataset.latitudeInput);
    var lngInput = byId(el.dataset.longitudeInput);
    var wardSelect = byId(el.dataset.wardSelect);
    var status = byId(el.dataset.status);
    var clearButton = wrap.querySelector(".pin-clear");
    if (!latInput || !lngInput) return;
    wrap.hidden = false;

    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([53.8, -2.6], 9);
    var pin = null;

    function say(text) {
      if (status) status.textContent = text;
    }

    // The page gives the words in the reader's language (data-* attributes); English if it does not.
    function words(name, fallback) {
      return el.dataset[name] || fallback;
    }

    function selectWard(code) {
      if (!wardSelect) return;
      var found = Array.prototype.some.call(wardSelect.options, function (option) {
        return option.value === code;
      });
      wardSelect.value = found ? code : "";
    }

    function place(latlng, ward) {
      latInput.value = latlng.lat.toFixed(6);
      lngInput.value = latlng.lng.toFixed(6);
      if (pin) pin.setLatLng(latlng);
      else pin = L.circleMarker(latlng, pinStyle).addTo(map);
      el.dataset.pinned = "true";
      if (ward) {
        selectWard(ward.code);
        say(words("placed", "Pin placed in {ward} ward.").replace("{ward}", ward.name));
      } else {
        selectWard("");
        say(words("outside", "That spot is outside the wards we cover. Move the pin, or choose a ward from the list."));
      }
    }

    function clear(message) {
      latInput.value = "";
      lngInput.value = "";
      if (pin) map.removeLayer(pin);
      pin = null;
      delete el.dataset.pinned;
      say(message || "");
    }

    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function () {
            return wardStyle;
          },
          onEachFeature: function (feature, featureLayer) {
            var tip = document.createElement("span");
            tip.textContent = feature.properties.name;
            featureLayer.bindTooltip(tip, { sticky: true });
            featureLayer.on("add", function () {
              featureLayer.getElement().dataset.wardCode = feature.properties.code;
            });
            featureLayer.on("click", function (event) {
              L.DomEvent.stopPropagation(event);
              place(event.latlng, feature.properties);
            });
          },
        }).addTo(map);
        if (layer.getLayers().length) {
          // A pin kept from an earlier try stays in view alongside the wards.
          var bounds = layer.getBounds();
          if (pin) bounds.extend(pin.getLatLng());
          map.fitBounds(bounds, { padding: [10, 10], animate: false });
        }
        el.dataset.ready = "true";
      })
      .catch(function (error) {
        el.dataset.error = String(error);
        say(words("loadError", "The map could not be loaded. Please choose the ward from the list."));
      });

    map.on("click", function (event) {
      place(event.latlng, null);
    });

    // A pin kept from a form shown again with errors.
    var lat = parseFloat(latInput.value);
    var lng = parseFloat(lngInput.value);
    if (isFinite(lat) && isFinite(lng)) {
      pin = L.circleMarker([lat, lng], pinStyle).addTo(map);
      map.setView([lat, lng], 14);
      el.dataset.pinned = "true";
    }

    if (wardSelect) {
      wardSelect.addEventListener("change", function () {
        if (pin) clear(words("removedForWard", "The pin was removed: the ward you chose is used instead."));
      });
    }
    if (clearButton) {
      clearButton.addEventListener("click", function () {
        clear(words("removed", "The pin was removed."));
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".pin-map").forEach(setup);
  });
})();
