// The question form (data-reset-on-success) empties itself once htmx has sent it successfully;
// a listener rather than hx-on, which evaluates its text and so cannot run under the CSP (core.csp).
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target;
  if (form && form.matches && form.matches("form[data-reset-on-success]") && event.detail.successful) {
    form.reset();
  }
});
