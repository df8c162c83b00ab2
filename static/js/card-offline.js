// "Ma carte de tiers payant" on a phone without a connection: registers the card's
// service worker (scope: the card's pages only), tells it which card is shown and the
// static files the page uses, and says when the page shown is the copy kept offline.
(function () {
  "use strict";
  var root = document.getElementById("carte-hors-ligne");
  if (!root) { return; }
  var notice = root.querySelector("[data-offline-notice]");
  function update() { notice.hidden = navigator.onLine; }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var assets = [];
  document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (element) {
    var url = new URL(element.getAttribute("href") || element.getAttribute("src"), location.href);
    if (url.origin === location.origin) { assets.push(url.pathname); }
  });
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "card-kept") { root.setAttribute("data-kept", event.data.version); }
  });
  navigator.serviceWorker.register(root.getAttribute("data-worker"), { scope: root.getAttribute("data-scope") })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) {
      registration.active.postMessage({ type: "card-shown", version: root.getAttribute("data-version"), assets: assets });
    })
    .catch(function () { /* no offline copy: the page still works online */ });
})();
