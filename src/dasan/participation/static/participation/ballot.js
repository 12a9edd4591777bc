// The ballot's live counter: remaining budget (approval), choices left (approval with k) or
// points left (cumulative), updated as projects are ticked. A static file (CSP: no inline
// script); without it the form still works and the server checks the same rules.
(function () {
  "use strict";
  function won(n) { return n.toLocaleString("ko-KR"); }
  function setUp(form) {
    var out = form.querySelector(".pb-remaining");
    if (!out) { return; }
    var kind = form.dataset.kind;
    var budget = parseInt(form.dataset.budget, 10) || 0;
    var maxChoices = parseInt(form.dataset.maxChoices, 10) || 0;
    var maxPoints = parseInt(form.dataset.maxPoints, 10) || 0;
    function update() {
      var text, over;
      if (kind === "cumulative") {
        var used = 0;
        form.querySelectorAll("input[type=number]").forEach(function (i) { used += parseInt(i.value, 10) || 0; });
        over = used > maxPoints;
        text = out.dataset.labelPoints + ": " + (maxPoints - used);
      } else {
        var ticked = form.querySelectorAll("input[type=checkbox]:checked");
        if (kind === "approval_k") {
          over = ticked.length > maxChoices;
          text = out.dataset.labelChoices + ": " + (maxChoices - ticked.length);
        } else {
          var spent = 0;
          ticked.forEach(function (i) { spent += parseInt(i.dataset.cost, 10) || 0; });
          over = spent > budget;
          text = out.dataset.labelBudget + ": " + won(budget - spent) + "원";
        }
      }
      out.textContent = text + (over ? " (" + out.dataset.over + ")" : "");
      out.classList.toggle("pb-over", over);
    }
    out.hidden = false;
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.pb-ballot").forEach(setUp);
  });
})();
