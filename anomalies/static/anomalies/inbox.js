// The inbox's bulk form: the header box ticks every row of the page, and the owner and
// reason menus show only for the action that needs them.
(function () {
  "use strict";
  const all = document.querySelector("input.pick-all");
  if (all) {
    all.setAttribute("form", "bulk-form");
    all.removeAttribute("name");
    all.addEventListener("change", () => {
      document.querySelectorAll("input.row-pick").forEach((box) => { box.checked = all.checked; });
    });
  }
  const action = document.getElementById("bulk-action");
  if (!action) return;
  const toggle = () => {
    for (const [id, wanted] of [["bulk-owner", "assign"], ["bulk-reason", "dismiss"]]) {
      const field = document.getElementById(id);
      const label = document.querySelector(`label[for="${id}"]`);
      const show = action.value === wanted;
      field.hidden = !show;
      if (label) label.hidden = !show;
      field.required = show && wanted === "dismiss";
    }
  };
  action.addEventListener("change", toggle);
  toggle();
})();
