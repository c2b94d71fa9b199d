/* The chart view of a DataStore table (templates/satudata_resource_views/chart_view.html).
 *
 * The rows are in the page as JSON (resource_views/chart.py):
 *   {"fields": [{"id", "label", "kind": "text"|"number"}], "rows": [[...], ...],
 *    "category": "kecamatan", "values": ["jumlah"], "type": "bar"|"line", "total", "limit"}
 * The viewer chooses the category column, the value columns and bar/line in the form
 * beside the chart; the chart (Apache ECharts, SVG) and the table of the same numbers
 * follow. Nothing is fetched. Names from the data are escaped in tooltips. */
this.ckan.module('satudata-resource-chart', function ($) {
  'use strict';

  var PALETTE = ['#1f5fa8', '#e07b00', '#2e8b57', '#b03a48', '#6b4fa0', '#3a8fa3', '#8a6d3b', '#555555'];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function number(value) {
    if (value === null || value === undefined || value === '') { return '–'; }
    return Number(value).toLocaleString('id-ID', { maximumFractionDigits: 2 });
  }

  return {
    options: { source: null, rowLabel: 'Row' },

    initialize: function () {
      var node = document.getElementById(this.options.source);
      if (!node) { return; }
      try { this.data = JSON.parse(node.textContent); } catch (e) { return; }
      this.section = this.el.closest('.satudata-resource-chart');
      this.form = this.section.find('.satudata-chart-controls');
      this.state = { category: this.data.category || '', values: this.data.values || [],
                     type: this.data.type || 'bar' };
      $.proxyAll(this, /_on/);
      this.form.prop('hidden', false).on('change', this._onChange)
        .on('submit', function (event) { event.preventDefault(); });
      if (typeof window.echarts === 'undefined') { return; }
      this.chart = window.echarts.init(this.el[0], null, { renderer: 'svg' });
      $(window).on('resize', this._onResize);
      this.draw();
    },

    _onResize: function () { if (this.chart) { this.chart.resize(); } },

    _onChange: function () {
      var form = this.form;
      this.state.category = form.find('[name=category]').val() || '';
      this.state.values = form.find('[name=values]').val() || [];
      this.state.type = form.find('[name=type]:checked').val() || 'bar';
      this.draw();
      this.table();
    },

    _index: function (id) {
      for (var i = 0; i < this.data.fields.length; i++) {
        if (this.data.fields[i].id === id) { return i; }
      }
      return -1;
    },

    _categories: function () {
      var at = this._index(this.state.category), label = this.options.rowLabel;
      return this.data.rows.map(function (row, i) {
        var value = at < 0 ? null : row[at];
        return value === null || value === undefined ? label + ' ' + (i + 1) : String(value);
      });
    },

    _series: function () {
      var self = this;
      return this.state.values.map(function (id) {
        var at = self._index(id);
        return { id: id, name: self.data.fields[at].label,
                 data: self.data.rows.map(function (row) { return row[at]; }) };
      }).filter(function (s) { return s.name !== undefined; });
    },

    draw: function () {
      if (!this.chart) { return; }
      var type = this.state.type, series = this._series(), categories = this._categories();
      // Names slanted when each gets less than ~80 px (a phone, or many kecamatan).
      var perLabel = (this.el[0].clientWidth || 600) / Math.max(categories.length, 1);
      this.chart.setOption({
        color: PALETTE,
        animation: false,
        textStyle: { fontFamily: 'inherit' },
        tooltip: {
          trigger: 'axis',
          formatter: function (items) {
            var lines = [escapeHtml(items[0] ? items[0].axisValueLabel : '')];
            items.forEach(function (item) {
              lines.push(item.marker + escapeHtml(item.seriesName) + ': ' + number(item.value));
            });
            return lines.join('<br>');
          }
        },
        legend: { show: series.length > 1, bottom: 0, type: 'scroll' },
        grid: { left: 8, right: 16, top: 24, bottom: series.length > 1 ? 40 : 16, containLabel: true },
        xAxis: { type: 'category', data: categories,
                 axisLabel: { hideOverlap: true, rotate: perLabel < 80 ? 45 : 0 } },
        yAxis: { type: 'value', axisLabel: { formatter: function (v) { return number(v); } } },
        dataZoom: categories.length > 40 ? [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 0 }] : [],
        series: series.map(function (s) {
          return { type: type, name: s.name, data: s.data, connectNulls: false };
        })
      }, true);
    },

    table: function () {
      var table = this.section.find('.satudata-resource-chart-table');
      if (!table.length) { return; }
      var at = this._index(this.state.category), series = this._series();
      var head = $('<tr>');
      if (at >= 0) { head.append($('<th scope="col">').text(this.data.fields[at].label)); }
      series.forEach(function (s) { head.append($('<th scope="col">').text(s.name)); });
      table.find('thead').empty().append(head);
      var body = table.find('tbody').empty();
      this.data.rows.forEach(function (row, i) {
        var tr = $('<tr>');
        if (at >= 0) {
          tr.append($('<th scope="row">').text(row[at] === null ? '–' : String(row[at])));
        }
        series.forEach(function (s) { tr.append($('<td>').text(number(s.data[i]))); });
        body.append(tr);
      });
    }
  };
});
