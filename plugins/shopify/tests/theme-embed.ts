/**
 * Renders the theme app extension's app embed block (extensions/cairn-embed/blocks/cairn.liquid)
 * with liquidjs, in the context Shopify gives it: `app.metafields`, `block.settings`,
 * `request.design_mode`. Shopify's own renderer cannot run here; liquidjs is the same language.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Liquid, Tag, type Context, type Emitter, type TagToken, type TopLevelToken } from 'liquidjs';

/** The extension's folder, as `shopify app deploy` uploads it. */
export const EXTENSION = fileURLToPath(new URL('../extensions/cairn-embed/', import.meta.url));
const BLOCK = `${EXTENSION}blocks/cairn.liquid`;

/** Shopify's `{% schema %}`: read by the platform, never rendered. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    while (remainTokens.length > 0) {
      const next = remainTokens.shift() as TagToken;
      if (next.name === 'endschema') return;
    }
    throw new Error('{% schema %} without {% endschema %}');
  }
  *render(_ctx: Context, _emitter: Emitter): Generator<unknown, void, unknown> {}
}

const engine = new Liquid();
engine.registerTag('schema', SchemaTag);

export interface EmbedInput {
  /** The app-data metafields the app server writes (namespace `cairn`); absent when not set. */
  metafields?: { site_id?: string; collector_url?: string };
  /** Settings the merchant changed in the theme editor, over the schema's defaults. */
  settings?: Record<string, unknown>;
  /** The page is shown in the theme editor. */
  designMode?: boolean;
}

interface Setting {
  id?: string;
  type: string;
  default?: unknown;
}

/** The block's `{% schema %}`, parsed. */
export async function blockSchema(): Promise<{ name: string; target: string; settings: Setting[] }> {
  const source = await readFile(BLOCK, 'utf8');
  const json = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source)?.[1];
  if (!json) throw new Error(`${BLOCK} has no {% schema %}`);
  return JSON.parse(json) as { name: string; target: string; settings: Setting[] };
}

/** The settings of an embed a merchant switched on and left as it is: each setting's default (none: nil). */
export async function defaultSettings(): Promise<Record<string, unknown>> {
  const { settings } = await blockSchema();
  return Object.fromEntries(settings.filter((s) => s.id && s.default !== undefined).map((s) => [s.id, s.default]));
}

/** The block's output for these metafields and settings. */
export async function renderEmbed(input: EmbedInput = {}): Promise<string> {
  // A metafield drop: Liquid reads its `.value`.
  const metafields = Object.fromEntries(Object.entries(input.metafields ?? {}).map(([key, value]) => [key, { value }]));
  return engine.renderFile(BLOCK, {
    app: { metafields: { cairn: metafields } },
    block: { settings: { ...(await defaultSettings()), ...input.settings } },
    request: { design_mode: input.designMode ?? false },
  }) as Promise<string>;
}

/** liquidjs escapes `"` as `&#34;` where Shopify writes `&quot;`: the same HTML, written as Shopify does. */
export function asShopifyWrites(html: string): string {
  return html.replaceAll('&#34;', '&quot;');
}

/** The attributes of the one `<script>` in `html`, in order, decoded (a bare attribute is `true`). */
export function scriptAttributes(html: string): [string, string | true][] {
  const tags = [...html.matchAll(/<script\b([^>]*)><\/script>/g)];
  if (tags.length !== 1) throw new Error(`Expected one <script></script>, got ${tags.length} in: ${html}`);
  const decode = (s: string) =>
    s.replace(/&(quot|#34|#39|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', '#34': '"', '#39': "'", lt: '<', gt: '>', amp: '&' })[e]!);
  return [...tags[0]![1]!.matchAll(/\s([\w-]+)(?:="([^"]*)")?/g)].map((m) => [m[1]!, m[2] === undefined ? true : decode(m[2])]);
}
