// A live length and segment counter for the compose page's text message. It counts what is sent:
// the SMS text (or the title when it is empty), whitespace collapsed, plus the STOP line, with
// GSM-7 / UCS-2 rules as messaging/rendering.py's sms_segments does. The server checks again on
// save, so this is guidance, never the gate.
(function () {
  "use strict";

  var GSM7_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "^{}\\[~]|€\f";

  function measure(text) {
    if (!text) return { units: 0, segments: 0, encoding: "GSM" };
    var gsm = true;
    var septets = 0;
    for (var ch of text) {
      if (GSM7_EXTENSION.indexOf(ch) !== -1) {
        septets += 2;
      } else if (GSM7_BASIC.indexOf(ch) !== -1) {
        septets += 1;
      } else {
        gsm = false;
        break;
      }
    }
    // UCS-2 counts UTF-16 code units: an emoji takes two, as JavaScript's length counts it.
    var units = gsm ? septets : text.length;
    var single = gsm ? 160 : 70;
    var part = gsm ? 153 : 67;
    var segments = units <= single ? 1 : Math.ceil(units / part);
    return { units: units, segments: segments, encoding: gsm ? "GSM" : "Unicode" };
  }

  function setup(counter) {
    var input = document.getElementById(counter.dataset.textInput);
    var fallback = document.getElementById(counter.dataset.fallbackInput);
    if (!input) return;
    var suffix = counter.dataset.suffix || "";
    var max = parseInt(counter.dataset.maxSegments, 10) || 4;
    counter.hidden = false;
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + counter.id).trim());

    function update() {
      var own = input.value.trim();
      var text = (own || (fallback ? fallback.value : "")).split(/\s+/).filter(Boolean).join(" ");
      var m = measure(text + suffix);
      // Characters as people count them (an emoji is one), as the alert page shows them too.
      var characters = Array.from(text + suffix).length;
      var over = m.segments > max;
      counter.textContent =
        (own ? "" : "Empty: the title is sent. ") +
        characters + " characters with the STOP line, " +
        m.segments + " segment" + (m.segments === 1 ? "" : "s") + " of at most " + max +
        (m.encoding === "GSM" ? "." : " (Unicode: a character outside the GSM alphabet makes segments shorter).") +
        (over ? " Too long: shorten it." : "");
      counter.classList.toggle("text-danger", over);
      counter.classList.toggle("fw-semibold", over);
      input.setAttribute("aria-invalid", over ? "true" : "false");
    }

    input.addEventListener("input", update);
    if (fallback) fallback.addEventListener("input", update);
    update();
  }

  function init() {
    document.querySelectorAll(".sms-counter[data-text-input]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
