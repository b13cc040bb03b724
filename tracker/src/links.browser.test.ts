/**
 * The built t.js in headless Chromium: link clicks, CTA clicks and form submissions (the shared
 * setup: testing/tracker-suite.ts).
 */
import { describe, expect, it } from 'vitest';
import { events, fixture, names, open, settle, site, useTrackerSite, waitFor } from './testing/tracker-suite.ts';

useTrackerSite();

describe('clicks and forms', () => {
  // The page keeps every link from navigating (after the tracker, which listens first, saw it).
  const links = `<script>for (const t of ['click', 'auxclick']) addEventListener(t, (e) => e.target.closest('a') && e.preventDefault())</script>
    <a id="out" href="https://partner.example.net/offer?ref=me#x">partner</a>
    <a id="tel" href="tel:+4930123456">call</a>
    <a id="mail" href="mailto:hello@example.com?subject=Hi">write</a>
    <a id="pdf" href="/files/price-list.PDF">prices</a>
    <a id="dl" href="/export" download>export</a>
    <a id="in" href="#section">section</a>
    <a id="js" href="javascript:void 0">nothing</a>
    <button id="cta" data-cairn-event="signup" data-cairn-prop-plan="pro" data-cairn-prop-place="header"><span id="inner">Sign up</span></button>
    <form id="newsletter" name="nl" action="/subscribe?src=footer" onsubmit="event.preventDefault()">
      <input name="email" value="secret.person@example.org"><input name="action" value="x"><button id="send">send</button>
    </form>`;

  it('sends outbound, tel, mailto, download, CTA and form events, and nothing for other links', async () => {
    const page = await open(fixture('/links', { body: links }));
    await site.waitForEvents(1);
    for (const id of ['in', 'js', 'tel', 'mail', 'pdf', 'dl', 'inner', 'send']) await page.click(`#${id}`);
    // The outbound link leaves the page: middle-click it (a new tab), as people often do.
    await page.click('#out', { button: 'middle' });
    await waitFor('outbound', 1);
    const evs = events().filter((e) => e.n != 'pageview' && e.n != 'engagement');
    expect(evs.map((e) => [e.n, e.p])).toEqual([
      ['tel', { to: '+4930123456' }],
      ['mailto', { to: 'hello@example.com' }],
      ['download', { to: `${site.origin}/files/price-list.PDF` }],
      ['download', { to: `${site.origin}/export` }],
      ['signup', { plan: 'pro', place: 'header' }],
      ['form', { form: 'newsletter', action: '/subscribe' }],
      ['outbound', { to: 'https://partner.example.net/offer' }],
    ]);
    // Form fields never leave the page.
    expect(JSON.stringify(site.requests)).not.toContain('secret.person');
  });

  it('counts links inside an SVG like other links', async () => {
    // An infographic: its links are SVG <a> elements, whose href is an SVGAnimatedString.
    const svg = `<svg width="300" height="40">
      <a id="svg-out" href="https://maps.example.net/place?x=1"><rect width="90" height="40" fill="teal"/></a>
      <a id="svg-pdf" href="files/plan.pdf"><rect x="100" width="90" height="40" fill="navy"/></a>
      <a id="svg-tel" href="tel:+4930123456"><rect x="200" width="90" height="40" fill="gray"/></a>
    </svg>`;
    const page = await open(fixture('/svg/', { body: links + svg }));
    await site.waitForEvents(1);
    for (const id of ['svg-pdf', 'svg-tel']) await page.click(`#${id} rect`);
    await page.click('#svg-out rect', { button: 'middle' });
    await waitFor('outbound', 1);
    expect(events().filter((e) => e.n != 'pageview' && e.n != 'engagement').map((e) => [e.n, e.p])).toEqual([
      ['download', { to: `${site.origin}/svg/files/plan.pdf` }],
      ['tel', { to: '+4930123456' }],
      ['outbound', { to: 'https://maps.example.net/place' }],
    ]);
  });

  it('takes the formaction of the button that submitted a form as its action', async () => {
    const form = `<form id="post" action="/posts" onsubmit="event.preventDefault()">
      <input name="title" value="Hello"><button id="publish">Publish</button><button id="draft" formaction="/drafts?autosave=0">Save draft</button>
    </form>`;
    const page = await open(fixture('/editor', { body: form }));
    await site.waitForEvents(1);
    await page.click('#draft');
    await page.click('#publish');
    // Enter in the title field: the form's first button submits it.
    await page.focus('input[name=title]');
    await page.keyboard.press('Enter');
    const forms = await waitFor('form', 3);
    expect(forms.map((e) => e.p)).toEqual([
      { form: 'post', action: '/drafts' },
      { form: 'post', action: '/posts' },
      { form: 'post', action: '/posts' },
    ]);
  });

  it('sends nothing for an element whose data-cairn-event is empty', async () => {
    const page = await open(fixture('/blank', { body: '<button id="blank" data-cairn-event="" data-cairn-prop-plan="pro">Sign up</button>' }));
    await site.waitForEvents(1);
    await page.click('#blank');
    await settle();
    expect(names()).toEqual(['pageview']);
  });

  it('switches features off with data-disable and takes its own download extensions', async () => {
    const page = await open(fixture('/quiet', { attrs: 'data-disable="outbound tel form cta" data-downloads="csv"', body: links }));
    await site.waitForEvents(1);
    for (const id of ['tel', 'mail', 'pdf', 'inner', 'send']) await page.click(`#${id}`);
    await page.click('#out', { button: 'middle' });
    await settle();
    expect(names().filter((n) => n != 'engagement')).toEqual(['pageview', 'mailto']);
  });
});
