// While a form marked data-busy uploads and is read, say so and prevent a second submit.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-busy]")) return;
  var button = form.querySelector("[type=submit]");
  if (button) { button.disabled = true; }
  var status = form.querySelector("[role=status]");
  if (status) { status.textContent = form.getAttribute("data-busy"); }
});
