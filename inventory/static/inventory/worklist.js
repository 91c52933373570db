// The worklist's "select all" box ticks every row box of the page (rows belong to the bulk form).
(function () {
  "use strict";
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches("input[data-select-all]")) { return; }
    document.querySelectorAll('input[name="select"][form="bulk-form"]').forEach((row) => {
      row.checked = box.checked;
    });
  });
})();
