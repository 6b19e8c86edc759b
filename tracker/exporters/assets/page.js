"use strict";
// Search, the envoy filter and the map's place filter, offline. The page holds
// everything; this only hides rows. It reads no data but the page's own text.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody tr[data-uid]"));
  var form = document.getElementById("controls");
  if (!form || !rows.length) { return; }
  var search = document.getElementById("search");
  var envoy = document.getElementById("envoy");
  var place = document.getElementById("place");
  var clear = document.getElementById("clear-place");
  var shown = document.getElementById("shown");
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var texts = rows.map(function (row) { return fold(row.textContent); });
  var placeUid = "";
  function apply() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var who = envoy.value;
    var count = 0;
    rows.forEach(function (row, index) {
      var ok = words.every(function (word) { return texts[index].indexOf(word) >= 0; })
        && (!who || row.dataset.envoys.split("\n").indexOf(who) >= 0)
        && (!placeUid || row.dataset.place === placeUid);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " meetings shown";
  }
  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  search.addEventListener("input", apply);
  envoy.addEventListener("change", apply);
  clear.addEventListener("click", function () {
    placeUid = "";
    place.hidden = true;
    apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.spot"), function (spot) {
    spot.addEventListener("click", function () {
      placeUid = spot.dataset.place;
      place.hidden = false;
      document.getElementById("place-name").textContent = spot.dataset.name;
      apply();
    });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.open = true;
    });
  });
  apply();
})();
