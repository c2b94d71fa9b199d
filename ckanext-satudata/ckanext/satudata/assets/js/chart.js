/* Charts drawn by Apache ECharts (npm, pinned; served from assets/vendor by webassets).
 *
 *   {% import 'satudata_chart/macros.html' as charts %}
 *   {{ charts.chart('kpi-tepat-waktu', data, title=_('...')) }}
 *
 * renders, for one figure, a chart container, the numbers as JSON in
 * <script type="application/json" id="ID-data"> and a table of the same numbers
 * (the accessible version, also what a screen reader or a printout uses):
 *
 *   <div data-module="satudata-chart" data-module-source="ID-data" role="img" aria-label="...">
 *
 * The JSON: {"type": "bar"|"line"|"pie", "categories": [...], "unit": "%",
 *            "horizontal": false, "max": 100, "stack": false,
 *            "series": [{"name": "...", "data": [1, 2, null], "type": "line" (optional)}]}
 * No fonts, images or data are fetched: everything is in the page. */
this.ckan.module('satudata-chart', function ($) {
  'use strict';

  var PALETTE = ['#1f5fa8', '#e07b00', '#2e8b57', '#b03a48', '#6b4fa0', '#3a8fa3', '#8a6d3b', '#555555'];

  function number(value, unit) {
    if (value === null || value === undefined || value === '') { return '–'; }
    var text = Number(value).toLocaleString('id-ID', { maximumFractionDigits: 2 });
    return unit ? text + (unit === '%' ? '%' : ' ' + unit) : text;
  }

  return {
    options: { source: null, height: null },

    initialize: function () {
      if (typeof window.echarts === 'undefined') { return; }
      var node = document.getElementById(this.options.source);
      if (!node) { return; }
      var data;
      try { data = JSON.parse(node.textContent); } catch (e) { return; }
      var el = this.el[0];
      if (this.options.height) { el.style.height = this.options.height; }
      var chart = window.echarts.init(el, null, { renderer: 'svg' });
      chart.setOption(this._option(data));
      this._chart = chart;
      $.proxyAll(this, /_on/);
      $(window).on('resize', this._onResize);
    },

    _onResize: function () { if (this._chart) { this._chart.resize(); } },

    _option: function (data) {
      var unit = data.unit || '';
      var type = data.type || 'bar';
      var base = {
        color: PALETTE,
        animation: false,
        textStyle: { fontFamily: 'inherit' },
        tooltip: {
          trigger: type === 'pie' ? 'item' : 'axis',
          valueFormatter: function (v) { return number(v, unit); }
        },
        legend: { show: (data.series || []).length > 1 || type === 'pie', bottom: 0, type: 'scroll' }
      };
      if (type === 'pie') {
        var serie = (data.series || [])[0] || { data: [] };
        base.series = [{
          type: 'pie', name: serie.name, radius: ['35%', '65%'],
          data: (data.categories || []).map(function (c, i) { return { name: c, value: serie.data[i] }; }),
          label: { formatter: function (p) { return p.name + ': ' + number(p.value, unit); } }
        }];
        return base;
      }
      var categoryAxis = { type: 'category', data: data.categories || [], axisLabel: { hideOverlap: true } };
      var valueAxis = {
        type: 'value', max: data.max === undefined ? null : data.max, min: data.min === undefined ? null : data.min,
        axisLabel: { formatter: function (v) { return number(v, unit); } }
      };
      base.grid = { left: 8, right: 16, top: 24, bottom: 40, containLabel: true };
      base.xAxis = data.horizontal ? valueAxis : categoryAxis;
      base.yAxis = data.horizontal ? categoryAxis : valueAxis;
      base.series = (data.series || []).map(function (s) {
        return {
          type: s.type || type, name: s.name, data: s.data,
          stack: data.stack ? 'total' : undefined,
          connectNulls: false,
          lineStyle: s.dashed ? { type: 'dashed' } : undefined,
          symbol: s.dashed ? 'none' : undefined
        };
      });
      return base;
    }
  };
});
