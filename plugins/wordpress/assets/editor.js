/* global window -- a classic browser script, loaded by the block editor without a build step */
/**
 * The block editor's "Visitors, 30 days" panel in the post's sidebar (Post tab): a
 * <cairn-page-stats> for the post's path, with the attributes the server prepared (api, site,
 * view token; see Admin_Pages::enqueue). assets/admin.js keeps its token fresh like any other
 * Cairn widget's. Built on wp.plugins and the editor's own panel component, so it needs no
 * bundler: React creates the custom element with these attributes.
 */
(function (wp, config) {
  'use strict';
  if (!wp || !wp.plugins || !wp.element || !config) return;
  // WordPress 6.6 moved the panel to wp.editor; 6.5 has it in wp.editPost.
  var Panel = (wp.editor && wp.editor.PluginDocumentSettingPanel) || (wp.editPost && wp.editPost.PluginDocumentSettingPanel);
  if (!Panel) return;
  var el = wp.element.createElement;
  wp.plugins.registerPlugin('cairn-analytics', {
    render: function () {
      return el(
        Panel,
        { name: 'cairn-page-stats', title: config.title, className: 'cairn-page-stats-panel' },
        config.error ? el('p', { className: 'cairn-error' }, config.error) : el('cairn-page-stats', config.attributes),
      );
    },
  });
})(window.wp, window.cairnEditor);
