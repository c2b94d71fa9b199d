/* Shows a dataset form field only while its condition holds (schema `sdi_show_if`).
 *
 * data-module-conditions: {field: {other_field: [values]}}.
 * data-module-values: saved values of the fields conditions look at, for
 * fields that sit on another form page.
 * A field whose condition fails is hidden, not cleared, so switching back
 * loses nothing.
 */
ckan.module("satudata-conditional-fields", function ($) {
  "use strict";

  function currentValues(form, saved, name) {
    var inputs = form.find('[name="' + name + '"]');
    if (!inputs.length) { return saved[name] || []; }
    var values = [];
    inputs.each(function () {
      var el = $(this);
      if ((el.is(":checkbox") || el.is(":radio")) && !el.is(":checked")) { return; }
      var v = el.val();
      if (Array.isArray(v)) { values = values.concat(v); } else if (v) { values.push(v); }
    });
    return values;
  }

  function holds(form, saved, condition) {
    return Object.keys(condition).every(function (name) {
      var wanted = condition[name].map(String);
      return currentValues(form, saved, name).some(function (v) {
        return wanted.indexOf(String(v)) !== -1;
      });
    });
  }

  return {
    options: { conditions: {}, values: {} },
    initialize: function () {
      var form = this.el.closest("form");
      var conditions = this.options.conditions;
      var saved = this.options.values;
      function apply() {
        Object.keys(conditions).forEach(function (field) {
          var group = form.find('[name="' + field + '"], [name^="' + field + '-"]')
            .first().closest(".form-group, .control-group, fieldset");
          group.toggle(holds(form, saved, conditions[field]));
        });
      }
      form.on("change", "select, input", apply);
      apply();
    }
  };
});
