/* global window, document -- a classic browser script, loaded without a build step */
/** Sends the WooCommerce purchase marked on the order-received page (see src/WooCommerce.php). */
(function () {
  'use strict';
  var el = document.querySelector('[data-cairn-purchase]');
  if (!el) return;
  // The tracker's queue: a call made before t.js has loaded is sent after its first pageview.
  window.cairn = window.cairn || function () { (window.cairn.q = window.cairn.q || []).push(arguments); };
  var revenue = parseFloat(el.getAttribute('data-revenue'));
  var props = { currency: el.getAttribute('data-currency') || '' };
  if (isFinite(revenue)) props.revenue = revenue;
  window.cairn('purchase', props);
})();
