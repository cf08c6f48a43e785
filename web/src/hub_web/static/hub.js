/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Move focus to the error summary so screen reader and keyboard users hear what went wrong.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Report flow: a click on the hub's map fills in the latitude and longitude fields.
  var map = document.querySelector("[data-map]");
  if (!map) { return; }
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var marker = map.querySelector(".map-marker");
  var box = map.getAttribute("data-bbox").split(",").map(Number); // west,south,east,north
  var size = map.viewBox.baseVal;
  map.removeAttribute("hidden");
  var help = document.getElementById("map-help");
  if (help) { help.removeAttribute("hidden"); }
  map.addEventListener("click", function (event) {
    var point = map.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    var local = point.matrixTransform(map.getScreenCTM().inverse());
    var longitude = box[0] + (local.x / size.width) * (box[2] - box[0]);
    var latitude = box[3] - (local.y / size.height) * (box[3] - box[1]);
    lat.value = latitude.toFixed(5);
    lon.value = longitude.toFixed(5);
    marker.setAttribute("cx", local.x); marker.setAttribute("cy", local.y);
    marker.removeAttribute("hidden");
  });
})();
