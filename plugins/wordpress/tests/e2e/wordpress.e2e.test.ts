/**
 * The WordPress harness itself, with a throwaway probe plugin shaped like ours: a deferred
 * tracker tag with data-* attributes, an admin page, and a REST route guarded by a capability.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@cairn/tracker/testing';
import { startWordPress, type WordPress } from './wordpress.ts';

const PROBE = `<?php
/**
 * Plugin Name: Cairn harness probe
 */
add_action('wp_enqueue_scripts', function () {
	wp_enqueue_script('probe-tracker', 'https://collector.example/t.js', [], null, ['strategy' => 'defer']);
});
add_filter('wp_script_attributes', function ($attributes) {
	if (($attributes['id'] ?? '') === 'probe-tracker-js') {
		$attributes['data-site'] = 'site_probe';
		$attributes['data-api'] = 'https://collector.example';
	}
	return $attributes;
});
add_action('rest_api_init', function () {
	register_rest_route('probe/v1', '/settings', [
		'methods' => 'GET',
		'permission_callback' => fn() => current_user_can('manage_options'),
		'callback' => fn() => ['site' => 'site_probe'],
	]);
});
add_action('admin_menu', function () {
	add_menu_page('Probe', 'Probe', 'read', 'probe', function () {
		printf('<div class="wrap"><h1>Probe settings</h1><div id="probe" data-nonce="%s" data-rest="%s"></div></div>',
			esc_attr(wp_create_nonce('wp_rest')), esc_url(rest_url('probe/v1/settings')));
	});
});
`;

/** A plugin directory named `slug` in a fresh temp dir, with one main file. */
function plugin(slug: string, php: string): { dir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'cairn-wp-plugin-'));
  const dir = join(root, slug);
  mkdirSync(dir);
  writeFileSync(join(dir, `${slug}.php`), php);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The probe's REST route called from the page, as the plugin's admin script would. */
async function callRest(page: Page, withNonce: boolean): Promise<number> {
  await page.goto(page.url().replace(/\/wp-admin\/.*/, '/wp-admin/admin.php?page=probe'));
  const probe = page.locator('#probe');
  const rest = (await probe.getAttribute('data-rest'))!;
  const nonce = withNonce ? (await probe.getAttribute('data-nonce'))! : '';
  // fetch() in the page: it sends the login cookies, as the plugin's admin script would.
  return page.evaluate(async ([rest, nonce]) => (await fetch(rest!, { headers: nonce ? { 'X-WP-Nonce': nonce } : {} })).status, [rest, nonce]);
}

describe('startWordPress', () => {
  let wp: WordPress;
  let browser: Browser;
  let probe: ReturnType<typeof plugin>;

  beforeAll(async () => {
    probe = plugin('cairn-probe', PROBE);
    [wp, browser] = await Promise.all([startWordPress({ pluginDir: probe.dir }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await wp?.stop();
    probe?.cleanup();
  });

  it('serves the public page with the plugin tag deferred, carrying its data-* attributes', async () => {
    const html = await (await fetch(`${wp.url}/`)).text();
    const tag = /<script[^>]*id=["']probe-tracker-js["'][^>]*>/.exec(html)?.[0];
    expect(tag).toBeDefined();
    expect(tag).toMatch(/\sdefer[\s=>]/);
    expect(tag).toContain('data-site="site_probe"');
    expect(tag).toContain('data-api="https://collector.example"');
  });

  it('runs PHP inside WordPress with the plugin active', async () => {
    expect(await wp.php('echo home_url(), "|", implode(",", get_option("active_plugins"));')).toBe(`${wp.url}|cairn-probe/cairn-probe.php`);
  });

  it('logs an admin into wp-admin, whose REST route wants a nonce', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await wp.login(page);
    expect(await page.locator('#wpadminbar').isVisible()).toBe(true);
    expect(await callRest(page, false)).toBe(401);
    expect(await callRest(page, true)).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Probe settings');
    await page.screenshot({ path: join(tmpdir(), 'cairn-wp-admin-probe.png') });
    await context.close();
  });

  it('forbids the route to a subscriber, even with a nonce', async () => {
    const subscriber = await wp.addUser('subscriber');
    const context = await browser.newContext();
    const page = await context.newPage();
    await wp.login(page, subscriber);
    expect(await callRest(page, true)).toBe(403);
    await context.close();
  });
});

describe('startWordPress on a plugin that raises PHP warnings', () => {
  it('fails the run when it stops, naming the warning', async () => {
    const noisy = plugin('cairn-noisy', `<?php\n/**\n * Plugin Name: Noisy\n */\nadd_action('wp_head', function () { echo $undefined_variable; });\n`);
    const wp = await startWordPress({ pluginDir: noisy.dir });
    try {
      const res = await fetch(`${wp.url}/`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(wp.logErrors().join('\n')).toMatch(/PHP Warning: +Undefined variable \$undefined_variable in .*cairn-noisy\.php/);
      await expect(wp.stop()).rejects.toThrow(/Undefined variable/);
    } finally {
      await wp.stop().catch(() => {});
      noisy.cleanup();
    }
  });
});
