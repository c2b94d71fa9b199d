/* Shows a dataset form field only while its condition holds (schema `sdi_show_if`).
 *
 * The form carries the conditions as JSON in data-module-conditions; a field
 * whose condition fails is hidden, not cleared, so switching back loses nothing.
 */
this.ckan.module("satudata-conditional-fields", function ($) {
  "use strict";

  function currentValues(form, name) {
    var values = [];
    form.find('[name="' + name + '"]').each(function () {
      var el = $(this);
      if ((el.is(":checkbox") || el.is(":radio")) && !el.is(":checked")) { return; }
      var v = el.val();
      if (Array.isArray(v)) { values = values.concat(v); } else if (v) { values.push(v); }
    });
    return values;
  }

  function holds(form, condition) {
    return Object.keys(condition).every(function (name) {
      var wanted = condition[name].map(String);
      return currentValues(form, name).some(function (v) { return wanted.indexOf(v) !== -1; });
    });
  }

  return {
    initialize: function () {
      var form = this.el.closest("form");
      var conditions = this.options.conditions || {};
      function apply() {
        Object.keys(conditions).forEach(function (field) {
          var group = form.find('[name="' + field + '"], [name^="' + field + '-"]')
            .first().closest(".form-group, .control-group, fieldset");
          group.toggle(holds(form, conditions[field]));
        });
      }
      form.on("change", "select, input", apply);
      apply();
    }
  };
});
