// Progressive enhancements only: every page reads and works without this file.
(function () {
  "use strict";
  var body = document.getElementById("article-body");
  var sizer = document.querySelector(".font-size");
  if (body && sizer) {
    var apply = function (size) {
      body.classList.remove("fs-l", "fs-s");
      if (size === "l" || size === "s") body.classList.add("fs-" + size);
      sizer.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-font") === size ? "true" : "false");
      });
    };
    var saved = null;
    try { saved = window.localStorage.getItem("fontSize"); } catch (e) { /* private mode */ }
    apply(saved || "m");
    sizer.hidden = false;
    sizer.addEventListener("click", function (event) {
      var size = event.target.getAttribute && event.target.getAttribute("data-font");
      if (!size) return;
      apply(size);
      try { window.localStorage.setItem("fontSize", size); } catch (e) { /* private mode */ }
    });
  }
  var closer = document.querySelector(".close-window");
  if (closer) {
    closer.hidden = false;
    closer.addEventListener("click", function () { window.close(); });
  }
})();
