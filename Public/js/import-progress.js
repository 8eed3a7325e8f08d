// An import's page: follow the background import through its status, then reload to
// show the summary. Without script the page refreshes itself every two seconds.
(function () {
  var page = document.getElementById("import-job");
  if (!page || page.getAttribute("data-running") !== "true" || !window.fetch) return;
  var href = page.getAttribute("data-status");
  function set(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }
  function poll() {
    fetch(href, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        document.getElementById("progress").value = job.percent;
        set("percent", Math.round(job.percent) + "%");
        set("state", job.state);
        set("rows", job.rows.toLocaleString("en-GB"));
        set("rate", job.rowsPerSecond.toLocaleString("en-GB"));
        set("left", job.secondsLeft != null ? job.secondsLeft + " s" : "");
        if (job.state === "running" || job.state === "uploading" || job.state === "queued") { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
