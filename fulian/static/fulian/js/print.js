// The print view opens the browser's print dialog once; a button repeats it.
(function () {
  "use strict";
  var button = document.querySelector(".do-print");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
  if (!/[?&]noprint=1/.test(window.location.search)) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
