/* global window, document, fetch, setTimeout, clearTimeout, console -- a classic browser script, loaded by wp-admin without a build step */
/**
 * Keeps the view token of the Cairn widgets on this page fresh: the page is printed with a
 * token; this renews it a minute before it expires, and answers `cairn-token-expired` (a token
 * revoked or expired early) with a new one. Tokens come from the plugin's REST route, which
 * checks the view_cairn_stats capability; the site key never reaches the browser.
 */
(function () {
  'use strict';
  var config = window.cairnAdmin;
  if (!config) return;
  var timer = 0;
  var pending = null;

  function elements() {
    return document.querySelectorAll('[data-cairn-token]');
  }

  function fetchToken(fresh) {
    if (pending) return pending;
    var url = config.tokenUrl + (config.tokenUrl.indexOf('?') < 0 ? '?' : '&') + 'fresh=' + (fresh ? '1' : '0');
    pending = fetch(url, { credentials: 'same-origin', headers: { 'X-WP-Nonce': config.nonce } })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body && body.message ? body.message : 'HTTP ' + res.status);
          return body;
        });
      })
      .finally(function () {
        pending = null;
      });
    return pending;
  }

  function apply(body) {
    elements().forEach(function (el) {
      el.setAttribute('token', body.token);
      el.setAttribute('data-expires-at', body.expiresAt);
    });
    schedule(body.expiresAt);
    return body.token;
  }

  function schedule(expiresAt) {
    clearTimeout(timer);
    var wait = Date.parse(expiresAt) - Date.now() - 60000;
    if (!(wait > 0)) wait = 0;
    // setTimeout overflows past ~24.8 days; tokens live at most an hour anyway.
    timer = setTimeout(function () {
      fetchToken(false).then(apply, report);
    }, Math.min(wait, 3600000));
  }

  function report(err) {
    console.warn('[cairn-analytics] could not renew the view token:', err.message);
  }

  document.addEventListener('cairn-token-expired', function (event) {
    fetchToken(true).then(function (body) {
      var token = apply(body);
      if (typeof event.retry === 'function') event.retry(token);
    }, report);
  });

  // The block editor renders its panel later: the server says when that token expires.
  var first = document.querySelector('[data-cairn-token][data-expires-at]');
  var expiresAt = first ? first.getAttribute('data-expires-at') : config.expiresAt;
  if (expiresAt) schedule(expiresAt);
})();
