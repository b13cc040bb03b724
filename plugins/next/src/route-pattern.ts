/** Param values as the App Router's `useParams()` gives them. */
export type RouteParams = Record<string, string | string[] | undefined>;

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * The App Router's route pattern of a path, from its params: `/blog/hello` with
 * `{ slug: 'hello' }` is `/blog/[slug]`, `/docs/a/b` with `{ parts: ['a', 'b'] }` is
 * `/docs/[...parts]`. Params are matched from the end, innermost first, so a static segment that
 * happens to equal a value (`/blog/blog`) stays static.
 */
export function routePattern(pathname: string, params: RouteParams | null | undefined): string {
  const segments = pathname.split('/');
  for (const [key, value] of Object.entries(params ?? {}).reverse()) {
    if (value === undefined || value.length === 0) continue;
    const run = Array.isArray(value) ? value : [value];
    for (let i = segments.length - run.length; i >= 1; i--) {
      if (run.every((v, j) => decode(segments[i + j] ?? '') === v)) {
        segments.splice(i, run.length, Array.isArray(value) ? `[...${key}]` : `[${key}]`);
        break;
      }
    }
  }
  return segments.join('/');
}
