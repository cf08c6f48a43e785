/* The web map, a progressive enhancement: every page with a map has the same information as a list
   or as form fields, and works without this file.

   The page puts what to draw in the data-map attribute (JSON, see hub_web/maps.py): the tile source
   and its credit, the hub outlines (GeoJSON) and the points to mark. The outlines are drawn on their
   own layer so the map still shows where the hubs are when the street tiles cannot load. With
   "pick", a click on the map, a dragged pin or "use my location" fills in the latitude and
   longitude fields, and the open reports near that spot are marked and listed. */
(function () {
  "use strict";
  var figure = document.querySelector("[data-map]");
  if (!figure || !window.L) { return; }
  var config = JSON.parse(figure.getAttribute("data-map"));
  figure.removeAttribute("hidden"); // Leaflet measures its container, so it must be shown first
  var map = L.map(figure.querySelector(".web-map"), { scrollWheelZoom: false });

  // Leaflet writes the credit as HTML; ours is plain text from the settings.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  var note = figure.querySelector("[data-map-note]");
  var tiles = L.tileLayer(config.tiles, { attribution: text(config.attribution), maxZoom: 19 });
  tiles.once("tileerror", function () { if (note) { note.removeAttribute("hidden"); } });
  tiles.addTo(map);

  // The hub names sit in a pane of their own under the pins (Leaflet puts tooltips above them), so a
  // pin or cluster at a hub's centre is not hidden behind its name.
  map.createPane("hub-names");
  map.getPane("hub-names").style.zIndex = 450;
  map.getPane("hub-names").style.pointerEvents = "none";
  var areas = L.geoJSON(config.areas, {
    interactive: false, // clicks go to the map, to pick a spot
    style: { color: "#1d4f91", weight: 3, fillColor: "#1d4f91", fillOpacity: 0.08 },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "map-label", pane: "hub-names" });
    }
  }).addTo(map);

  function link(title, url) {
    var a = document.createElement("a");
    a.href = url;
    a.textContent = title;
    return a;
  }

  // Points at the same spot (groups meeting in one community centre) share a pin listing them all,
  // so none hides under another.
  function spots(points) {
    var byPlace = {};
    var order = [];
    points.forEach(function (p) {
      var key = p.lat + "," + p.lon;
      if (!byPlace[key]) { byPlace[key] = []; order.push(key); }
      byPlace[key].push(p);
    });
    return order.map(function (key) { return byPlace[key]; });
  }

  function listOf(points) {
    if (points.length === 1) { return link(points[0].title, points[0].url); }
    var ul = document.createElement("ul");
    ul.className = "map-popup-list";
    points.forEach(function (p) {
      var li = document.createElement("li");
      li.appendChild(link(p.title, p.url));
      ul.appendChild(li);
    });
    return ul;
  }

  // Pins are for pointing; keyboard and screen reader users have the same links in the page's list,
  // and pins close together would be focus targets too small to tell apart.
  var points = spots(config.points).map(function (here) {
    var title = here.length === 1 ? here[0].title
      : config.words.more_here.replace("{title}", here[0].title).replace("{n}", here.length - 1);
    return L.marker([here[0].lat, here[0].lon], { title: title, alt: title, keyboard: false })
      .bindPopup(listOf(here));
  });
  // Many pins (the asset map, a busy hub's open issues) are drawn as clusters with their count until
  // one zooms in, so nearby pins do not cover each other; a click on a cluster zooms to its pins.
  var pins = config.cluster && L.markerClusterGroup
    ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 })
    : L.layerGroup();
  points.forEach(function (marker) { pins.addLayer(marker); });
  pins.addTo(map);
  var shown = L.featureGroup(points.concat([areas])); // the hubs, and any point outside them
  if (shown.getBounds().isValid()) {
    map.fitBounds(shown.getBounds(), { padding: [20, 20], maxZoom: 16 });
  } else {
    map.setView([54.0, -2.0], 6); // nothing to show: Great Britain
  }

  if (config.pick) { pickASpot(config.nearby_url); }

  function pickASpot(nearbyUrl) {
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var pin = null;
    var reports = L.layerGroup().addTo(map);
    var asked = 0; // answers to older questions are ignored

    function choose(latlng, fillFields) {
      if (fillFields) {
        lat.value = latlng.lat.toFixed(5);
        lon.value = latlng.lng.toFixed(5);
      }
      if (pin) {
        pin.setLatLng(latlng);
      } else {
        pin = L.marker(latlng, { draggable: true, title: config.words.chosen, alt: config.words.chosen }).addTo(map);
        pin.on("dragend", function () { choose(pin.getLatLng(), true); });
      }
      showNearby(latlng);
    }

    function typed() {
      var latitude = parseFloat(lat.value), longitude = parseFloat(lon.value);
      if (isFinite(latitude) && isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
        choose(L.latLng(latitude, longitude), false);
        map.panTo([latitude, longitude]);
      }
    }

    map.on("click", function (event) { choose(event.latlng, true); });
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
    if (lat.value && lon.value) { typed(); }

    var locate = document.querySelector("[data-locate]");
    var locateStatus = document.querySelector("[data-locate-status]");
    if (locate && navigator.geolocation) {
      locate.removeAttribute("hidden");
      locate.addEventListener("click", function () {
        locateStatus.textContent = config.words.finding;
        navigator.geolocation.getCurrentPosition(function (position) {
          var here = L.latLng(position.coords.latitude, position.coords.longitude);
          choose(here, true);
          map.setView(here, 17);
          locateStatus.textContent = config.words.found;
        }, function () {
          locateStatus.textContent = config.words.not_found;
        }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }

    var list = document.querySelector("[data-nearby]");
    function showNearby(latlng) {
      if (!nearbyUrl || !list) { return; }
      var question = ++asked;
      var url = nearbyUrl + "?lat=" + latlng.lat.toFixed(5) + "&lon=" + latlng.lng.toFixed(5);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (answer) { if (question === asked) { drawNearby(answer.items); } })
        .catch(function () { /* the list is a help, not a step: reporting goes on without it */ });
    }

    function drawNearby(items) {
      reports.clearLayers();
      var ul = list.querySelector("ul");
      ul.textContent = "";
      items.forEach(function (item) {
        L.circleMarker([item.lat, item.lon], { radius: 9, color: "#942514", weight: 3, fillColor: "#d4351c", fillOpacity: 0.6 })
          .bindPopup(link(item.title, item.url)).addTo(reports);
        var li = document.createElement("li");
        li.appendChild(link(item.title, item.url));
        li.appendChild(document.createTextNode(" (" + item.status + ", " + config.words.me_too.replace("{n}", item.support_count) + ")"));
        ul.appendChild(li);
      });
      if (items.length) { list.removeAttribute("hidden"); } else { list.setAttribute("hidden", ""); }
    }
  }
})();
