// The dashboard map: country outlines from world-atlas (no tile server, works
// offline) and one circle per operation from the GeoJSON download with the
// page's filters. Loaded as a file (the Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { worldCopyJump: true, attributionControl: false }).setView([30, 0], 2);
  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  json(element.getAttribute("data-outlines")).then(function (world) {
    var land = topojson.feature(world, world.objects.countries);
    L.geoJSON(land, { style: { color: "#8a8a99", weight: 0.6, fillColor: "#ffffff", fillOpacity: 1 }, interactive: false }).addTo(map);
  }).catch(function () { /* outlines are decoration; markers still load */ });
  json(element.getAttribute("data-geojson")).then(function (data) {
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var arrests = feature.properties.arrested_total || 0;
        return L.circleMarker(latlng, { radius: 4 + Math.min(12, Math.sqrt(arrests)), color: "#7a1f5c", weight: 1, fillOpacity: 0.6, className: "op-marker" });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        var link = document.createElement("a");
        link.href = "/operations/" + encodeURIComponent(feature.id);
        link.textContent = (p.name || "Operation #" + feature.id) + " — " + (p.locality || p.admin1 || p.country || "") + ", " + (p.date_start || "date unknown");
        marker.bindPopup(link);
      }
    }).addTo(map);
    element.setAttribute("data-markers", String(layer.getLayers().length));
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 7 }); }
  }).catch(function (error) { element.setAttribute("data-error", String(error)); });
})();
