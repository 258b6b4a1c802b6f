// The intake screen: show the caller's earlier contacts as soon as the number is typed, and hide
// the "person affected" fields while the caller is that person. Works without it: the banner is
// also shown after saving, and every field stays usable.
(function () {
  "use strict";
  var form = document.querySelector("form.fulian-intake");
  if (!form) return;
  var phone = form.querySelector("[name=caller_phone]");
  var banner = document.getElementById("caller-history");
  var token = form.querySelector("[name=csrfmiddlewaretoken]");
  var last = "";
  function lookup() {
    var digits = (phone.value || "").replace(/\D/g, "");
    if (digits.length < 7 || digits === last) return;
    last = digits;
    var body = new FormData();
    body.append("phone", phone.value);
    body.append("csrfmiddlewaretoken", token.value);
    fetch(form.dataset.historyUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { banner.innerHTML = html; })
      .catch(function () { /* the banner is a help, not a requirement */ });
  }
  if (phone && banner) {
    phone.addEventListener("change", lookup);
    phone.addEventListener("blur", lookup);
  }
  var same = form.querySelector("[name=affected_is_caller]");
  var affected = form.querySelector("[data-affected]");
  function toggle() { if (same && affected) affected.hidden = same.checked; }
  if (same) { same.addEventListener("change", toggle); toggle(); }
})();
