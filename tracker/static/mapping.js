// The review's mapping step, live: when a choice changes, the preview is asked for again and
// shown in place (the form's "Voorbeeld bekijken" button does the same without this script).
// Nothing is saved until "Indeling toepassen". No inline script: the app's CSP allows files.
(function () {
  "use strict";
  var latest = 0;

  function refresh(form) {
    var body = new FormData(form);
    body.set("action", "preview");
    var asked = ++latest;
    var target = document.getElementById("mapping-preview");
    if (target) target.setAttribute("aria-busy", "true");
    // form.action would be the buttons named "action": the attribute is the address.
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (asked !== latest || !target) return; // an answer overtaken by a later choice
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("mapping-preview");
        var problems = page.querySelector("#indeling .flash-error");
        target.innerHTML = (problems ? problems.outerHTML : "") + (fresh ? fresh.innerHTML : "");
        target.removeAttribute("aria-busy");
      })
      .catch(function () { target.removeAttribute("aria-busy"); });
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement)) return;
    var form = select.form;
    if (form && form.hasAttribute("data-mapping-preview")) refresh(form);
  });
})();
