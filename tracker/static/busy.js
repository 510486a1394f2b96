// Long actions. A form marked data-busy says what it is doing while the server works, and a
// second click (or a double click) does not send it again. A button may carry its own
// data-busy text; a button marked data-download fetches a file, so the page stays: the server
// answers with a cookie named after a token sent along, and when it arrives the form is ready
// again and says so (data-done). No inline script: the app's CSP allows only this file.
(function () {
  "use strict";
  var POLL_MS = 200;
  var GIVE_UP_MS = 180000;

  function buttons(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button[type=submit], input[type=submit]"));
  }

  function say(form, text, busy) {
    var status = form.querySelector(".busy-status, [role=status]");
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("is-busy", Boolean(busy));
  }

  function ready(form, text) {
    form.removeAttribute("aria-busy");
    buttons(form).forEach(function (button) { button.disabled = false; });
    say(form, text, false);
  }

  function cookieHas(name, value) {
    return document.cookie.split("; ").indexOf(name + "=" + value) !== -1;
  }

  function waitForDownload(form, token, done) {
    var started = Date.now();
    var timer = window.setInterval(function () {
      var arrived = cookieHas("download", token);
      if (arrived || Date.now() - started > GIVE_UP_MS) {
        window.clearInterval(timer);
        document.cookie = "download=; Max-Age=0; path=" + window.location.pathname + "; SameSite=Strict";
        ready(form, arrived ? done : "");
      }
    }, POLL_MS);
  }

  function downloadField(form) {
    var field = form.querySelector("input[name=download]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "download";
      form.appendChild(field);
    }
    return field;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault(); // already sent: a double click or an impatient second click
      return;
    }
    var submitter = event.submitter || null;
    var text = (submitter && submitter.getAttribute("data-busy")) || form.getAttribute("data-busy");
    var download = Boolean(submitter && submitter.hasAttribute("data-download"));
    var field = form.querySelector("input[name=download]");
    if (download) {
      field = downloadField(form);
      field.value = String(Date.now()) + String(Math.random()).slice(2, 10);
      field.disabled = false;
      waitForDownload(form, field.value, submitter.getAttribute("data-done") || "");
    } else if (field) {
      field.disabled = true;
    }
    form.setAttribute("aria-busy", "true");
    say(form, text, true);
    // Disabled only after the browser has read the form: a disabled button is not sent.
    window.setTimeout(function () {
      buttons(form).forEach(function (button) { button.disabled = true; });
    }, 0);
  });

  // Back to a page kept in the browser's cache: its forms can be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
      ready(form, "");
    });
  });
})();
