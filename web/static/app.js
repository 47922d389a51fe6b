// tidtam pages: small improvements over plain forms, loaded from this site
// only. Everything here is optional: without JavaScript the forms post as
// usual and the server checks the same things.
(function () {
  "use strict";

  // htmx sends the page's CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var token = document.body && document.body.getAttribute("data-csrf");
    if (token) { e.detail.headers["X-CSRF-Token"] = token; }
  });

  // After htmx swapped a new page in, take the new token.
  document.addEventListener("htmx:afterSettle", function () { setup(document); });

  function extOf(name) {
    var i = name.lastIndexOf(".");
    return i < 0 ? "" : name.slice(i).toLowerCase();
  }

  // checkFiles shows, next to the file input, why the chosen files cannot
  // be sent (type, size, count) and returns whether they can.
  function checkFiles(form, input) {
    var errorEl = form.querySelector(".file-error");
    var accept = (form.getAttribute("data-accept") || "").split(",");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    var maxFiles = parseInt(form.getAttribute("data-max-files") || "0", 10);
    var msg = "";
    if (maxFiles && input.files.length > maxFiles) { msg = form.getAttribute("data-msg-count"); }
    for (var i = 0; !msg && i < input.files.length; i++) {
      var f = input.files[i];
      if (accept.indexOf(extOf(f.name)) < 0) { msg = f.name + ": " + form.getAttribute("data-msg-type"); }
      else if (maxBytes && f.size > maxBytes) { msg = f.name + ": " + form.getAttribute("data-msg-size"); }
    }
    if (errorEl) { errorEl.textContent = msg; errorEl.hidden = !msg; }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = !!msg; }
    return !msg;
  }

  function setupReportForm(form) {
    if (form.getAttribute("data-ready")) { return; }
    form.setAttribute("data-ready", "1");
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector(".dropzone");
    if (input) { input.addEventListener("change", function () { checkFiles(form, input); }); }
    if (zone && input) {
      zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("drag"); });
      zone.addEventListener("dragleave", function () { zone.classList.remove("drag"); });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        zone.classList.remove("drag");
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          checkFiles(form, input);
        }
      });
    }
    form.addEventListener("submit", function (e) {
      if (input && !checkFiles(form, input)) { e.preventDefault(); }
    });
  }

  function setupCopy(button) {
    if (button.getAttribute("data-ready")) { return; }
    button.setAttribute("data-ready", "1");
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target) { return; }
      target.select();
      var done = function () { button.textContent = button.getAttribute("data-done"); };
      if (navigator.clipboard) { navigator.clipboard.writeText(target.value).then(done, function () {}); }
    });
  }

  // Any form with a progress.upload shows its upload's progress.
  function setupProgress(form) {
    var bar = form.querySelector("progress.upload");
    if (!bar || form.getAttribute("data-progress")) { return; }
    form.setAttribute("data-progress", "1");
    form.addEventListener("htmx:xhr:progress", function (e) {
      if (e.detail.lengthComputable) { bar.hidden = false; bar.value = Math.round(100 * e.detail.loaded / e.detail.total); }
    });
  }

  // Live regions: an element with data-live-topic (and id) listens to
  // /live over Server-Sent Events and, on each "changed" event, asks htmx
  // to fetch it again (its hx-get, hx-trigger="live"). One EventSource
  // per topic stays open across those swaps; data-live-stamp tells the
  // server what the page shows already. Without JavaScript the page is
  // simply not live, and shows when it was last updated.
  var liveSources = {};
  function setupLive(el) {
    var topic = el.getAttribute("data-live-topic");
    if (!topic || !window.EventSource) { return; }
    var src = liveSources[topic];
    if (src) {
      // A region just fetched again may still show an older state than
      // the one announced (the server keeps a reading for a second):
      // fetch it once more, a moment later.
      if (src.want && el.getAttribute("data-live-stamp") !== src.want) {
        setTimeout(function () {
          var cur = document.getElementById(src.id);
          if (cur && window.htmx) { window.htmx.trigger(cur, "live"); }
        }, 1000);
      }
      return;
    }
    var id = el.id;
    var es = new EventSource("/live?" + topic + "&stamp=" + encodeURIComponent(el.getAttribute("data-live-stamp") || ""));
    src = { es: es, id: id, want: "" };
    es.addEventListener("changed", function (e) {
      src.want = e.data;
      var cur = document.getElementById(id);
      if (cur && window.htmx) { window.htmx.trigger(cur, "live"); }
    });
    liveSources[topic] = src;
  }

  // closeGoneLive closes the streams of live regions no longer on the
  // page (after hx-boost took the reader elsewhere).
  function closeGoneLive() {
    Object.keys(liveSources).forEach(function (topic) {
      if (!document.getElementById(liveSources[topic].id)) {
        liveSources[topic].es.close();
        delete liveSources[topic];
      }
    });
  }

  // A button with data-fullscreen shows that element full screen (the
  // meeting board on a projector); hidden where the browser cannot.
  function setupFullscreen(button) {
    var target = document.querySelector(button.getAttribute("data-fullscreen"));
    if (!target || !target.requestFullscreen || button.getAttribute("data-ready")) { return; }
    button.setAttribute("data-ready", "1");
    button.hidden = false;
    button.addEventListener("click", function () { target.requestFullscreen().catch(function () {}); });
  }

  function setup(root) {
    root.querySelectorAll("button[data-fullscreen]").forEach(setupFullscreen);
    closeGoneLive();
    root.querySelectorAll("[data-live-topic]").forEach(setupLive);
    root.querySelectorAll("form").forEach(setupProgress);
    root.querySelectorAll("form.report-form").forEach(setupReportForm);
    root.querySelectorAll("button.copy").forEach(setupCopy);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  } else {
    setup(document);
  }
})();
