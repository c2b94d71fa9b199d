/* The monitoring's thematic map (issue 13): data coverage per kecamatan as a choropleth
 * drawn by Apache ECharts (npm, pinned; served from assets/vendor by webassets).
 *
 *   <div data-module="satudata-coverage-map" data-module-source="ID-data"></div>
 *   <script type="application/json" id="ID-data">
 *     {"url": "/monitoring/batas-kecamatan.geojson", "value": "specific",
 *      "labels": {"specific": "...", "total": "..."},
 *      "regions": [{"kode": "35.14.01", "nama": "Purwodadi", "specific": 1, "total": 3}]}
 *   </script>
 *
 * The boundaries (a GeoJSON FeatureCollection, properties `kode` and `nama`) come from
 * the portal itself, registered with echarts.registerMap; no tiles, fonts or anything
 * else is fetched. The table beside the map has the same numbers. */
this.ckan.module('satudata-coverage-map', function ($) {
  'use strict';

  var MAP = 'satudata-kecamatan';

  function number(value) {
    if (value === null || value === undefined) { return '–'; }
    return Number(value).toLocaleString('id-ID');
  }

  return {
    options: { source: null },

    initialize: function () {
      if (typeof window.echarts === 'undefined' || typeof window.fetch === 'undefined') { return; }
      var node = document.getElementById(this.options.source);
      if (!node) { return; }
      var data;
      try { data = JSON.parse(node.textContent); } catch (e) { return; }
      var el = this.el[0];
      var self = this;
      window.fetch(data.url, { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (geojson) { self._draw(el, data, geojson); })
        .catch(function () { el.setAttribute('data-failed', 'true'); });
    },

    _draw: function (el, data, geojson) {
      var echarts = window.echarts;
      echarts.registerMap(MAP, geojson);
      var key = data.value || 'specific';
      var labels = data.labels || {};
      var values = (data.regions || []).map(function (r) { return r[key] || 0; });
      var max = Math.max.apply(null, values.concat([1]));
      var chart = echarts.init(el, null, { renderer: 'svg' });
      chart.setOption({
        animation: false,
        textStyle: { fontFamily: 'inherit' },
        tooltip: {
          trigger: 'item',
          formatter: function (p) {
            var r = p.data || {};
            var name = r.nama || p.name;
            return $('<div>').text(name).html() + '<br>' +
              $('<div>').text(labels.specific || '').html() + ': ' + number(r.specific) + '<br>' +
              $('<div>').text(labels.total || '').html() + ': ' + number(r.total);
          }
        },
        visualMap: {
          type: 'continuous', min: 0, max: max, calculable: false, left: 8, bottom: 8,
          text: [number(max), '0'], inRange: { color: ['#e8f0fa', '#1f5fa8'] }
        },
        series: [{
          type: 'map', map: MAP, nameProperty: 'kode', roam: false,
          name: labels[key] || '',
          label: { show: false },
          emphasis: { label: { show: true, formatter: function (p) { return (p.data || {}).nama || p.name; } } },
          itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
          data: (data.regions || []).map(function (r) {
            return { name: r.kode, value: r[key] || 0, nama: r.nama, specific: r.specific, total: r.total };
          })
        }]
      });
      this._chart = chart;
      el.setAttribute('data-drawn', 'true');
      $.proxyAll(this, /_on/);
      $(window).on('resize', this._onResize);
    },

    _onResize: function () { if (this._chart) { this._chart.resize(); } }
  };
});
