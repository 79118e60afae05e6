// The unread count in the top bar, fetched after the page has loaded so that no page pays a
// database query for it. The server answers a small fragment (warnings/_unread.html).
(function () {
  "use strict";
  function load() {
    var badge = document.getElementById("sl-unread");
    if (!badge || !badge.dataset.src) { return; }
    fetch(badge.dataset.src, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) { if (html) { badge.outerHTML = html; } })
      .catch(function () { /* the count is a convenience; the page works without it */ });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
