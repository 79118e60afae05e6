// Sunlight: show a message when an htmx request is refused (403/404) or fails, since htmx does
// not swap error responses into the page. The texts come translated from data-* attributes.
(function () {
  "use strict";
  function toast(text) {
    var box = document.getElementById("sl-toast");
    if (!box) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible shadow";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    box.appendChild(alert);
    setTimeout(function () { alert.remove(); }, 6000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var data = document.body.dataset;
    if (status === 403) { toast(data.msgForbidden); }
    else if (status === 404) { toast(data.msgNotFound); }
    else { toast(data.msgError); }
  });
  document.addEventListener("htmx:sendError", function () {
    toast(document.body.dataset.msgOffline);
  });
})();
