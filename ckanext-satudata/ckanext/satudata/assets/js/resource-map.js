/* The map view of a GeoJSON resource (templates/satudata_resource_views/map_view.html).
 *
 * Reads the file from the portal's own download address (same origin: the download
 * route's access rules and published copies apply), refuses more than max-bytes, and
 * draws the features with Apache ECharts on a plain background: polygons as a
 * registered map (`geo` component), points as a scatter series and lines as a lines
 * series on it. No tile server, no third party. The first 100 features are listed in
 * the table under the map. Messages come translated from the template. */
this.ckan.module('satudata-resource-map', function ($) {
  'use strict';

  var GEOMETRIES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon',
                    'MultiPolygon', 'GeometryCollection'];
  var NAME_KEYS = ['name', 'nama', 'NAMA', 'Name', 'NAME', 'NAMOBJ', 'WADMKC', 'WADMKD',
                   'kecamatan', 'desa', 'title', 'judul'];
  var LISTED = 100;
  var counter = 0;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* The document as a list of features, or null when it is not GeoJSON. */
  function features(doc) {
    if (!doc || typeof doc !== 'object') { return null; }
    var list;
    if (doc.type === 'FeatureCollection' && Array.isArray(doc.features)) { list = doc.features; }
    else if (doc.type === 'Feature') { list = [doc]; }
    else if (GEOMETRIES.indexOf(doc.type) >= 0) { list = [{ type: 'Feature', properties: {}, geometry: doc }]; }
    else { return null; }
    for (var i = 0; i < list.length; i++) {
      var f = list[i];
      if (!f || f.type !== 'Feature') { return null; }
      if (f.geometry && GEOMETRIES.indexOf(f.geometry.type) < 0) { return null; }
    }
    return list;
  }

  function nameOf(feature, number, fallback) {
    var props = feature.properties || {};
    for (var i = 0; i < NAME_KEYS.length; i++) {
      var v = props[NAME_KEYS[i]];
      if ((typeof v === 'string' || typeof v === 'number') && String(v).trim()) { return String(v).trim(); }
    }
    return fallback + ' ' + number;
  }

  /* Split geometries into polygons, lines and points, and grow the bounding box. */
  function collect(geometry, parts, box) {
    if (!geometry) { return; }
    function grow(c) {
      if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') { return; }
      box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
    }
    var c = geometry.coordinates;
    switch (geometry.type) {
      case 'Point': grow(c); parts.points.push(c); break;
      case 'MultiPoint': (c || []).forEach(function (p) { grow(p); parts.points.push(p); }); break;
      case 'LineString': (c || []).forEach(grow); parts.lines.push(c); break;
      case 'MultiLineString':
        (c || []).forEach(function (l) { (l || []).forEach(grow); parts.lines.push(l); }); break;
      case 'Polygon':
        (c || []).forEach(function (r) { (r || []).forEach(grow); });
        parts.polygons.push({ type: 'Polygon', coordinates: c }); break;
      case 'MultiPolygon':
        (c || []).forEach(function (p) { (p || []).forEach(function (r) { (r || []).forEach(grow); }); });
        parts.polygons.push({ type: 'MultiPolygon', coordinates: c }); break;
      case 'GeometryCollection':
        (geometry.geometries || []).forEach(function (g) { collect(g, parts, box); }); break;
    }
  }

  return {
    options: { url: null, maxBytes: 5242880, tooLarge: '', invalid: '', failed: '', empty: '',
               feature: 'Feature' },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.section = this.el.closest('.satudata-resource-map');
      if (typeof window.echarts === 'undefined' || !this.options.url || !window.fetch) { return; }
      this.el.attr('data-map-state', 'loading');
      var self = this, max = Number(this.options.maxBytes);
      window.fetch(this.options.url, {
        credentials: 'same-origin',
        headers: { 'X-Satudata-Preview': 'map' }
      }).then(function (response) {
        if (!response.ok) { throw new Error('failed'); }
        var length = Number(response.headers.get('Content-Length') || 0);
        if (length > max) { throw new Error('tooLarge'); }
        return response.arrayBuffer();
      }).then(function (buffer) {
        if (buffer.byteLength > max) { throw new Error('tooLarge'); }
        var doc;
        try { doc = JSON.parse(new TextDecoder('utf-8').decode(buffer)); } catch (e) { throw new Error('invalid'); }
        var list = features(doc);
        if (!list) { throw new Error('invalid'); }
        if (!list.length) { throw new Error('empty'); }
        self.draw(list);
      }).catch(function (error) {
        if (window.console) { window.console.warn('satudata-resource-map:', error); }
        self.el.attr('data-map-reason', String(error && error.message || error));
        var key = ['tooLarge', 'invalid', 'empty'].indexOf(error.message) >= 0 ? error.message : 'failed';
        self.fail(key);
      });
      $(window).on('resize', this._onResize);
    },

    _onResize: function () { if (this.chart) { this.chart.resize(); } },

    fail: function (key) {
      this.el.attr('data-map-state', 'error-' + key).prop('hidden', true);
      this.section.find('.satudata-resource-map-message').text(this.options[key] || this.options.failed)
        .prop('hidden', false);
      this.section.find('.satudata-resource-map-features').prop('hidden', true);
    },

    draw: function (list) {
      var label = this.options.feature, seen = {}, rows = [];
      var regions = [], points = [], lines = [], box = [Infinity, Infinity, -Infinity, -Infinity];
      list.forEach(function (feature, i) {
        var name = nameOf(feature, i + 1, label);
        if (seen[name]) { seen[name] += 1; name = name + ' (' + seen[name] + ')'; } else { seen[name] = 1; }
        var parts = { polygons: [], lines: [], points: [] };
        collect(feature.geometry, parts, box);
        parts.polygons.forEach(function (g, k) {
          regions.push({ type: 'Feature', properties: { name: k ? name + ' #' + (k + 1) : name }, geometry: g });
        });
        parts.lines.forEach(function (coords) { lines.push({ name: name, coords: coords }); });
        parts.points.forEach(function (c) { points.push({ name: name, value: [c[0], c[1]] }); });
        if (i < LISTED) { rows.push([name, feature.geometry ? feature.geometry.type : '–']); }
      });
      if (!isFinite(box[0])) { this.fail('empty'); return; }
      // A single point still needs an area to show.
      var padX = Math.max((box[2] - box[0]) * 0.05, 0.01), padY = Math.max((box[3] - box[1]) * 0.05, 0.01);
      var mapName = 'satudata-map-' + (++counter);
      window.echarts.registerMap(mapName, { type: 'FeatureCollection', features: regions });
      var chart = window.echarts.init(this.el[0], null, { renderer: 'svg' });
      var tooltip = { formatter: function (p) { return escapeHtml(p.name); } };
      chart.setOption({
        animation: false,
        tooltip: { trigger: 'item' },
        geo: {
          map: mapName, roam: true, tooltip: { show: true, formatter: tooltip.formatter },
          boundingCoords: [[box[0] - padX, box[3] + padY], [box[2] + padX, box[1] - padY]],
          itemStyle: { areaColor: '#dbe7f3', borderColor: '#1f5fa8', borderWidth: 1 },
          emphasis: { itemStyle: { areaColor: '#f5c98b' }, label: { show: false } },
          select: { disabled: true },
          label: { show: false }
        },
        series: [
          { type: 'lines', coordinateSystem: 'geo', polyline: true, data: lines,
            lineStyle: { color: '#b03a48', width: 2, opacity: 0.9 }, tooltip: tooltip, silent: false },
          { type: 'scatter', coordinateSystem: 'geo', data: points, symbolSize: 8,
            itemStyle: { color: '#e07b00', borderColor: '#ffffff', borderWidth: 1 }, tooltip: tooltip }
        ]
      });
      this.chart = chart;
      this.el.attr('data-map-state', 'drawn').attr('data-map-features', String(list.length));
      var body = this.section.find('.satudata-resource-map-features tbody').empty();
      rows.forEach(function (row) {
        body.append($('<tr>').append($('<td>').text(row[0]), $('<td>').text(row[1])));
      });
    }
  };
});
