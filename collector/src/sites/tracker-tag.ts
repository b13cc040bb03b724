/**
 * The tracker tag every plugin emits (ARCHITECTURE.md §1).
 * Keep in sync with the plugins' own tag builders (plugins/*), which cannot import this file.
 */
export function trackerTag(publicUrl: string, siteId: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `<script defer src="${base}/t.js" data-site="${siteId}" data-api="${base}/api/event"></script>`;
}
