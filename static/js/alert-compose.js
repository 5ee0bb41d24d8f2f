// The compose page shows only the place list of the audience level chosen (wards, neighbourhoods
// or divisions), and the send time only when "at a set time" is chosen. Without JavaScript
// everything shows, and the server uses the chosen level's places and ignores an unused time.
(function () {
  "use strict";

  function init() {
    var form = document.querySelector(".alert-form");
    if (!form) return;
    var radios = form.querySelectorAll("input[name='audience_level']");
    var areas = form.querySelectorAll("[data-area-level]");

    function update() {
      var chosen = form.querySelector("input[name='audience_level']:checked");
      var level = chosen ? chosen.value : "";
      areas.forEach(function (area) {
        area.hidden = area.dataset.areaLevel !== level;
      });
    }

    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();

    var sendAt = document.getElementById("div_id_send_at");
    var whenRadios = form.querySelectorAll("input[name='send_when']");
    function updateWhen() {
      var chosen = form.querySelector("input[name='send_when']:checked");
      if (sendAt) sendAt.hidden = !chosen || chosen.value !== "later";
    }
    whenRadios.forEach(function (radio) {
      radio.addEventListener("change", updateWhen);
    });
    updateWhen();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
