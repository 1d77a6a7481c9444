// Audience measurement, set up the CNIL-exempt way: no cookie, no cross-site tracking,
// anonymised addresses (configured on the Matomo server), so no consent banner is needed.
(function () {
  var config = document.getElementById("matomo-config");
  if (!config) return;
  var url = config.dataset.url.replace(/\/$/, "") + "/";
  var _paq = (window._paq = window._paq || []);
  _paq.push(["disableCookies"]);
  _paq.push(["setDoNotTrack", true]);
  _paq.push(["trackPageView"]);
  _paq.push(["enableLinkTracking"]);
  _paq.push(["setTrackerUrl", url + "matomo.php"]);
  _paq.push(["setSiteId", config.dataset.siteId]);
  var script = document.createElement("script");
  script.async = true;
  script.src = url + "matomo.js";
  document.head.appendChild(script);
})();
