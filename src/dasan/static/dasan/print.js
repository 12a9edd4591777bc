// A "print" button (data-print) prints the page; a listener, not onclick, under the CSP (core.csp).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { window.print(); }
});
