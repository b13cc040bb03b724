/** Builds an element: `h('p', { class: 'x', onclick }, 'text', child)`; `.name` sets a property. */
export function h(tag: string, attrs: Record<string, unknown> = {}, ...children: (Node | string | null | false | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value as EventListener);
    else if (name.startsWith('.')) (el as unknown as Record<string, unknown>)[name.slice(1)] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.filter((c): c is Node | string => c != null && c !== false));
  return el;
}
