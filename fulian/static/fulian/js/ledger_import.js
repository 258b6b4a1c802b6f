// The import's progress page: asks for the status every second and a half and moves the bar; when
// the check or the import has finished, reloads the page to show the result. Without JavaScript the
// page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var root = document.getElementById("ledger-import");
  if (!root || root.getAttribute("data-running") !== "1") {
    return;
  }
  var url = root.getAttribute("data-status-url");
  var bar = document.getElementById("ledger-import-progress");
  var percent = document.getElementById("ledger-import-percent");
  var label = document.getElementById("ledger-import-label");
  var status = null;
  var delay = 1500;

  function show(data) {
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (percent) { percent.textContent = data.percent + "%"; }
    if (status !== null && data.status !== status && label) { label.textContent = data.label; }
    status = data.status;
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { delay = Math.min(delay * 2, 15000); window.setTimeout(poll, delay); return; }
      var data;
      // Not JSON: the session has ended (the login page came back). Reloading shows it.
      try { data = JSON.parse(request.responseText); } catch (e) { window.location.reload(); return; }
      show(data);
      if (!data.running) { window.location.reload(); return; }
      delay = 1500;
      window.setTimeout(poll, delay);
    };
    request.onerror = function () { delay = Math.min(delay * 2, 15000); window.setTimeout(poll, delay); };
    request.send();
  }

  window.setTimeout(poll, delay);
})();
