// Decisions that cannot be taken back ask first: a form with data-confirm submits only when the
// reviewer confirms its question. Without JavaScript the form posts as before.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
