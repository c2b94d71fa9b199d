/* Copy button of "Cara mengutip" (citation) on the dataset page.
 *
 *   <button data-module="satudata-copy" data-module-target="#id-of-the-text"
 *           data-module-done="Copied" data-module-failed="Select the text and copy it">
 *
 * Uses the Clipboard API where the page may (HTTPS or localhost), else selects the
 * text and asks the browser to copy it; says what happened next to the button. */
this.ckan.module('satudata-copy', function ($) {
  'use strict';
  return {
    options: { target: null, done: 'Copied', failed: 'Select the text and copy it' },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.el.on('click', this._onClick);
    },

    _text: function () {
      var target = document.querySelector(this.options.target);
      return target ? target.textContent.trim() : '';
    },

    _say: function (message) {
      var label = this.el.find('span').first();
      var status = this.el.nextAll('.satudata-copy-status').first();
      if (!this._label) { this._label = label.text(); }
      label.text(message);
      status.text(message);
      var module = this;
      window.setTimeout(function () { label.text(module._label); }, 2500);
    },

    _fallback: function (text) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'absolute';
      area.style.left = '-9999px';
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand('copy'); } catch (err) { copied = false; }
      document.body.removeChild(area);
      return copied;
    },

    _onClick: function (event) {
      event.preventDefault();
      var text = this._text();
      var module = this;
      if (!text) { return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { module._say(module.options.done); },
          function () { module._say(module._fallback(text) ? module.options.done : module.options.failed); });
        return;
      }
      this._say(this._fallback(text) ? this.options.done : this.options.failed);
    }
  };
});
