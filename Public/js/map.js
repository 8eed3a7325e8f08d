// Interactive maps (Leaflet, vendored under /vendor/leaflet): every element marked
// data-live-map is shown and filled when this script runs; without script, the page's
// server-drawn SVG map stands alone. Draws the bundled context layers (land, local
// authorities, LSOAs when zoomed in) and the page's own GeoJSON download, coloured by each
// feature's simplestyle "fill"; a click opens the feature's figures.
(function () {
  'use strict';

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json, application/json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error('the server answered ' + r.status); }
        return r.json();
      });
  }

  function popup(feature) {
    var p = feature.properties || {};
    var html = '<p class="popup-title">' + escapeHTML(p.name || feature.id || '') + '</p>';
    if (p.count !== undefined && p.count !== null) {
      html += '<p class="popup-count">Incidents: <strong>' + escapeHTML(p.count) + '</strong></p>';
    }
    if (p.description) { html += '<p class="popup-description">' + escapeHTML(p.description) + '</p>'; }
    if (p.href) { html += '<p><a href="' + escapeHTML(p.href) + '">' + escapeHTML(p.link || 'Open its page') + '</a></p>'; }
    return html;
  }

  function layer(features, which) {
    return { type: 'FeatureCollection', features: features.filter(function (f) { return f.properties.layer === which; }) };
  }

  function start(wrap) {
    var el = wrap.querySelector('.live-map');
    var b = (el.dataset.bounds || '').split(',').map(Number);
    if (b.length !== 4 || b.some(isNaN)) { return; }
    wrap.hidden = false;
    document.documentElement.classList.add('has-live-map');
    var map = L.map(el, { zoomSnap: 0.25 });
    el.liveMap = map;
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
    L.control.scale({ imperial: false }).addTo(map);
    // Background tiles when the deployment configured them; the bundled land then gives way.
    var tiles = el.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { attribution: escapeHTML(el.dataset.tilesAttribution || ''), maxZoom: 19 }).addTo(map);
    }
    map.createPane('context').style.zIndex = 300;
    map.createPane('boundaries').style.zIndex = 450;
    map.getPane('boundaries').style.pointerEvents = 'none';
    var control = L.control.layers(null, null, { collapsed: false }).addTo(map);

    function failed(what, error) {
      var p = document.createElement('p');
      p.className = 'body map-error';
      p.textContent = 'The interactive map could not load ' + what + ' (' + error.message + '). The map below shows the same figures.';
      wrap.insertBefore(p, el);
      document.documentElement.classList.remove('has-live-map');
    }

    // The context layers: first for the box the server chose, then again for wherever the
    // map is panned or zoomed out to (the server clips and thins them to the box asked for).
    var contextLayers = [];
    var overlays = {};
    var attributed = false;
    var pending = null;
    var pendingBounds = null;
    function showContext(fc) {
      contextLayers.forEach(function (l) { map.removeLayer(l); control.removeLayer(l); });
      contextLayers = [];
      if (fc.attribution && !attributed) {
        map.attributionControl.addAttribution(escapeHTML(fc.attribution));
        attributed = true;
      }
      var land = L.geoJSON(layer(fc.features, 'land'), {
        pane: 'context', interactive: false,
        style: { color: '#8fb1c9', weight: 1, fillColor: '#fbfbf8', fillOpacity: tiles ? 0 : 1, opacity: tiles ? 0 : 1 }
      }).addTo(map);
      contextLayers.push(land);
      [['lsoa', 'LSOA boundaries', { color: '#6f777b', weight: 0.6, fill: false }],
       ['authority', 'Local authority boundaries', { color: '#505a5f', weight: 1.2, dashArray: '5 3', fill: false }]]
        .forEach(function (spec) {
          var features = layer(fc.features, spec[0]);
          if (!features.features.length) { return; }
          var l = L.geoJSON(features, { pane: 'boundaries', interactive: false, style: spec[2] });
          var wanted = overlays[spec[1]];
          if (wanted === undefined ? spec[0] !== 'lsoa' || map.getZoom() >= 11 : wanted) { l.addTo(map); }
          l.layerName = spec[1];
          control.addOverlay(l, spec[1]);
          contextLayers.push(l);
        });
    }
    map.on('overlayadd overlayremove', function (e) {
      if (e.layer.layerName) { overlays[e.layer.layerName] = e.type === 'overlayadd'; }
    });
    function loadContext(url, bounds) {
      pending = url;
      pendingBounds = bounds;
      getJSON(url).then(function (fc) {
        if (pending === url) { showContext(fc); }
      }).catch(function (e) { failed('its context layers', e); });
    }
    // The server's first box is the map's extent with half its size again on every side.
    loadContext(el.dataset.context, L.latLngBounds([[b[0], b[1]], [b[2], b[3]]]).pad(0.45));
    var base = el.dataset.context.split('?')[0];
    map.on('moveend', function () {
      var view = map.getBounds();
      if (pendingBounds && pendingBounds.contains(view)) { return; }
      var want = view.pad(0.5);
      var w = Math.max(want.getWest(), -12), e = Math.min(want.getEast(), 4);
      var s = Math.max(want.getSouth(), 48), n = Math.min(want.getNorth(), 62);
      // Beyond about 1,000 km the server declines: keep what is drawn.
      if (w >= e || s >= n || e - w > 12 || n - s > 8) { return; }
      var q = [w, s, e, n].map(function (v) { return v.toFixed(4); });
      loadContext(base + '?bounds=' + q.join(','), L.latLngBounds([[s, w], [n, e]]));
    });

    getJSON(el.dataset.features).then(function (fc) {
      var shapes = L.geoJSON(fc, {
        filter: function (f) { return !!(f.properties && f.properties.fill); },
        style: function (f) {
          var p = f.properties;
          var quiet = p['class'] === 'not-significant';
          return {
            stroke: !!p.stroke, color: p.stroke || '#0b0c0c',
            weight: p['stroke-width'] !== undefined ? p['stroke-width'] : 1.5,
            fillColor: p.fill, fillOpacity: p['fill-opacity'] !== undefined ? p['fill-opacity'] : quiet ? 0.45 : 0.9,
            className: 'map-shape' + (p['class'] ? ' map-shape--' + p['class'] : '')
          };
        },
        onEachFeature: function (f, l) { l.bindPopup(popup(f)); }
      }).addTo(map);
      control.addOverlay(shapes, el.dataset.featuresLabel || 'Figures');
      wrap.classList.add('live-map-wrap--ready');
    }).catch(function (e) { failed('its figures', e); });
  }

  function ready() {
    if (typeof L === 'undefined') { return; }
    Array.prototype.forEach.call(document.querySelectorAll('[data-live-map]'), start);
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', ready); } else { ready(); }
})();
