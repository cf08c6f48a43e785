/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Move focus to the error summary so screen reader and keyboard users hear what went wrong.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // A shift's check-in QR code: swap in a fresh one before it expires (the code is short-lived so a
  // photo of it is no use later). Without this script staff reload the page for a new code.
  var qr = document.querySelector("[data-renew]");
  if (qr && window.fetch) {
    window.setInterval(function () {
      window.fetch(qr.getAttribute("data-renew"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;  // our own fragment, from this site
          var fresh = holder.querySelector("[data-renew]");
          if (fresh) { qr.replaceWith(fresh); qr = fresh; }
        })
        .catch(function () { /* offline for a moment: the next round tries again */ });
    }, Number(qr.getAttribute("data-renew-s")) * 1000);
  }
})();
