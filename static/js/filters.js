// The intervention filters without an Apply step. The form still works without this script
// (a plain GET form); here it submits itself on every change and htmx swaps in the results.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-auto-submit]");
    // A search box is submitted with Enter, not each time it loses focus.
    if (!form || event.target.type === "search") {
      return;
    }
    form.requestSubmit();
  });

  // Empty fields ("Any", a blank search) would only clutter the address readers share.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || !event.detail.elt.matches("form[data-auto-submit]")) {
      return;
    }
    Array.from(data.keys()).forEach(function (key) {
      if (data.getAll(key).every(function (value) { return value === ""; })) {
        data.delete(key);
      }
    });
  });

  // On small screens the filters fold away under their summary; on wide ones they stay open.
  function fitDisclosures() {
    var wide = window.matchMedia("(min-width: 56rem)").matches;
    document.querySelectorAll("details.filters-disclosure").forEach(function (details) {
      details.open = wide;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    fitDisclosures();
    window.matchMedia("(min-width: 56rem)").addEventListener("change", fitDisclosures);
  });

  // htmx changed the address: the language switcher must bring the reader back to this one.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    document.querySelectorAll("input[data-current-page]").forEach(function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  });
})();
