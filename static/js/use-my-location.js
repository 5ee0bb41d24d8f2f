// "Use my location" on the find-your-neighbourhood page: the browser's position goes to the same
// point lookup a click on the map uses. The button stays hidden where the browser cannot share a
// location, and a refusal or failure is said in words, with the search and the map still there.
(function () {
  "use strict";

  function setUp(box) {
    var button = box.querySelector("button");
    var status = box.querySelector("[role=status]");
    if (!button || !status || !("geolocation" in navigator)) return;
    button.hidden = false;

    function fail(error) {
      button.disabled = false;
      // PERMISSION_DENIED (1) also covers a page served over plain HTTP, where browsers refuse.
      status.textContent = error && error.code === 1 ? box.dataset.denied : box.dataset.unavailable;
      box.dataset.state = "failed";
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = box.dataset.finding;
      box.dataset.state = "finding";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var url = new URL(box.dataset.locateUrl, window.location.href);
          url.searchParams.set("lat", position.coords.latitude.toFixed(6));
          url.searchParams.set("lng", position.coords.longitude.toFixed(6));
          window.location.assign(url.toString());
        },
        fail,
        // A fix to the nearest few hundred metres finds a ward; the last five minutes' fix will do.
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-use-my-location]").forEach(setUp);
  });
})();
