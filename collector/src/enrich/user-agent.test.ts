import { describe, expect, it } from 'vitest';
import { parseUserAgent } from './user-agent.ts';

const UA = {
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
  firefoxUbuntu: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  chromeIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
  samsung: 'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  androidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  smartTv: 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
};

describe('parseUserAgent', () => {
  it.each([
    ['chromeWindows', 'Chrome', '124', 'Windows', 'desktop'],
    ['edge', 'Edge', '124', 'Windows', 'desktop'],
    ['firefoxUbuntu', 'Firefox', '125', 'Ubuntu', 'desktop'],
    ['safariMac', 'Safari', '17', 'Mac OS', 'desktop'],
    ['iphone', 'Mobile Safari', '17', 'iOS', 'mobile'],
    ['chromeIphone', 'Chrome', '124', 'iOS', 'mobile'],
    ['samsung', 'Samsung Internet', '24', 'Android', 'mobile'],
    ['firefoxAndroid', 'Firefox', '125', 'Android', 'mobile'],
    ['ipad', 'Mobile Safari', '17', 'iOS', 'tablet'],
    ['androidTablet', 'Chrome', '124', 'Android', 'tablet'],
    ['smartTv', 'Samsung Internet', '4', 'Tizen', 'other'],
  ] as const)('%s: %s %s on %s, %s', (key, browser, browserVersion, os, device) => {
    expect(parseUserAgent(UA[key])).toMatchObject({ browser, browserVersion, os, device });
  });

  it('keeps the full OS version', () => {
    expect(parseUserAgent(UA.iphone).osVersion).toBe('17.4');
    expect(parseUserAgent(UA.samsung).osVersion).toBe('13');
    expect(parseUserAgent(UA.firefoxUbuntu).osVersion).toBeNull();
  });

  it('knows nothing of an unknown string', () => {
    expect(parseUserAgent('hello world this is not a browser')).toMatchObject({
      browser: null,
      browserVersion: null,
      os: null,
      osVersion: null,
    });
  });
});
