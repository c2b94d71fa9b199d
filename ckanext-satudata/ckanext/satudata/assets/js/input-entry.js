/* Data input forms: check each cell as it is typed (the server checks again on save),
   and add blank rows to entry tables. Messages come from the page (translated). */
(function () {
  "use strict";
  // Translated messages come from the form (data-messages); English is the fallback.
  var FALLBACK = {
    required: "Required", INTEGER: "Must be a whole number, e.g. 1.234 or -5",
    DECIMAL: "Must be a number, e.g. 1.234,56", DATE: "Must be a date DD/MM/YYYY",
    BOOLEAN: "Must be yes or no", domain: "Choose one of the allowed values"
  };
  function messages(field) {
    var form = field.form || field.closest("form");
    try { return JSON.parse(form.dataset.messages); } catch (e) { return FALLBACK; }
  }
  var PATTERNS = {
    INTEGER: /^[+-]?(\d{1,3}(\.\d{3})+|\d{1,3}( \d{3})+|\d+)$/,
    DECIMAL: /^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$|^[+-]?\d+(\.\d+)?$/,
    DATE: /^(\d{1,2}[\/.-]\d{1,2}[\/.-]\d{4}|\d{4}-\d{2}-\d{2})$/,
    BOOLEAN: /^(ya|tidak|y|t|true|false|1|0|benar|salah)$/i
  };

  function problem(field) {
    var MESSAGES = messages(field);
    var value = (field.value || "").trim();
    if (!value) { return field.dataset.required ? MESSAGES.required : ""; }
    if (field.dataset.domain) {
      var allowed = field.dataset.domain.toLowerCase().split("|");
      return allowed.indexOf(value.toLowerCase()) >= 0 ? "" : MESSAGES.domain;
    }
    var pattern = PATTERNS[field.dataset.tipe];
    return pattern && !pattern.test(value) ? MESSAGES[field.dataset.tipe] : "";
  }

  function check(field) {
    var row = field.closest("tr");
    // A blank new row is ignored on save, so its required cells are not errors yet.
    if (row && row.classList.contains("satudata-new-row") &&
        !Array.prototype.some.call(row.querySelectorAll("[data-tipe]"),
                                   function (f) { return (f.value || "").trim(); })) {
      field.classList.remove("is-invalid");
      return true;
    }
    var message = problem(field);
    field.classList.toggle("is-invalid", !!message);
    var feedback = field.parentNode.querySelector(".invalid-feedback");
    if (feedback) { feedback.textContent = message; }
    return !message;
  }

  document.querySelectorAll("form[data-satudata-validate]").forEach(function (form) {
    form.addEventListener("input", function (event) {
      if (event.target.dataset && event.target.dataset.tipe) { check(event.target); }
    });
    form.addEventListener("change", function (event) {
      if (event.target.dataset && event.target.dataset.tipe) { check(event.target); }
    });
    form.addEventListener("submit", function (event) {
      var ok = true;
      form.querySelectorAll("[data-tipe]").forEach(function (field) { ok = check(field) && ok; });
      if (!ok) {
        event.preventDefault();
        var first = form.querySelector(".is-invalid");
        if (first) { first.focus(); }
      }
    });
  });

  document.querySelectorAll("[data-satudata-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var body = document.querySelector(button.dataset.satudataAddRow + " tbody");
      var last = body.querySelector("tr:last-child");
      var clone = last.cloneNode(true);
      var number = body.querySelectorAll("tr").length + 1000;
      clone.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.name = field.name.replace(/^(r|col)-\d+-/, "$1-" + number + "-");
        if (field.type === "checkbox") { field.checked = false; } else { field.value = ""; }
        field.classList.remove("is-invalid");
      });
      clone.classList.add("satudata-new-row");
      body.appendChild(clone);
    });
  });

  // A select that re-runs its form when changed (the import summary's sheet choice);
  // the form keeps its button for browsers without script.
  document.querySelectorAll("select[data-satudata-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
    });
  });
})();
