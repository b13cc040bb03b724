/** The Designer Extension's build settings (vite.designer.config.ts) and its manifest (webflow.json). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appUrl } from '../vite.designer.config.ts';

describe('VITE_CAIRN_APP_URL', () => {
  it('is required, an https URL (localhost aside), kept without its trailing slash', () => {
    expect(() => appUrl({})).toThrow('[@cairn/webflow] VITE_CAIRN_APP_URL is not set');
    expect(() => appUrl({ VITE_CAIRN_APP_URL: 'cairn.example.com' })).toThrow('is not a URL');
    expect(() => appUrl({ VITE_CAIRN_APP_URL: 'http://cairn.example.com' })).toThrow('must be an https:// URL');
    expect(appUrl({ VITE_CAIRN_APP_URL: 'https://cairn.example.com/' })).toBe('https://cairn.example.com');
    expect(appUrl({ VITE_CAIRN_APP_URL: 'http://localhost:3000' })).toBe('http://localhost:3000');
  });
});

describe('webflow.json', () => {
  it('names the app, API version 2, the comfortable size and the folder the build writes', async () => {
    const manifest = JSON.parse(await readFile(join(import.meta.dirname, '../webflow.json'), 'utf8'));
    expect(manifest).toEqual({ name: 'Cairn', apiVersion: '2', size: 'comfortable', publicDir: 'designer/dist' });
  });
});
