// Review console keyboard shortcuts (when not typing): j next case, a approve, r reject, n note.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const click = function (id) { const el = document.getElementById(id); if (el && !el.disabled) { el.click(); return true; } return false; };
    let done = false;
    if (event.key === "j") done = click("next-case");
    else if (event.key === "a") done = click("approve-button");
    else if (event.key === "r") done = click("reject-button");
    else if (event.key === "n") { const note = document.getElementById("id_body"); if (note) { note.focus(); done = true; } }
    if (done) event.preventDefault();
  });
})();
