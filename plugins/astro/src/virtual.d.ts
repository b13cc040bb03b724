/** Served by the integration's Vite plugin (index.ts): what server-side entrypoints need to know. */
declare module 'virtual:@cairn/astro/config' {
  const config: {
    /** The collector's address (`api`). */
    collector: string;
  };
  export default config;
}
