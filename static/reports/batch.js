/* Follows a batch of reports: polls its JSON status, moves the <progress> bar and the count,
   and reloads the page when the batch is finished (to show failures and downloads) or when
   reports stopped with their worker (to offer Resume).
   A static file, never inline: the site's Content Security Policy forbids inline scripts. */
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || box.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var bar = document.getElementById("batch-progress-bar");
  var text = document.getElementById("batch-progress-text");
  var url = box.getAttribute("data-status-url");
  var INTERVAL = 1000;

  function show(status) {
    bar.max = Math.max(status.total, 1);
    bar.value = status.finished;
    bar.textContent = status.percent + " %";
    text.textContent = status.text;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        // Reload when the batch ends, or when reports stopped with their worker and the page
        // does not offer Resume yet (once: after the reload the warning is there).
        if (status.is_finished || (status.stopped > 0 && !document.getElementById("batch-lost"))) {
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL);
        }
      })
      .catch(function () {
        text.textContent = "Lost contact with the server; trying again…";
        window.setTimeout(poll, INTERVAL * 5);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
