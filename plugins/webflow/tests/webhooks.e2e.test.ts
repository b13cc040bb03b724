// Webhooks signed as Webflow signs them: valid, tampered, expired and replayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, post, SITE, startFixture, webhook, type Fixture } from './fixture.ts';

let f: Fixture;
let session: string;
beforeAll(async () => {
  f = await startFixture();
  session = (await authorize(f)).session;
  expect((await post(f, session, SITE.id, 'install')).status).toBe(200);
});
afterAll(() => f?.stop());

const publishEvent = (publishedOn: string) => ({ triggerType: 'site_publish', payload: { siteId: SITE.id, publishedOn, domains: ['dunecoffee.example'], publishedBy: { displayName: 'Owner' } } });
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('POST /webhooks', () => {
  it('refuses a tampered body, a signature made with another secret, or none, and acts on nothing', async () => {
    const event = publishEvent('2030-01-01T00:00:00.000Z');
    for (const res of [await webhook(f, event, { tamper: true }), await webhook(f, event, { secret: 'another-secret' }), await webhook(f, event, { signature: '' })]) {
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('bad_signature');
    }
    expect((await f.deps.tokens.site(SITE.id))?.publishedAt).toBeUndefined();
  });

  it('refuses a correctly signed delivery whose timestamp is more than 5 minutes old (or ahead)', async () => {
    const old = await webhook(f, publishEvent('2030-01-01T00:00:00.000Z'), { timestamp: Date.now() - 6 * 60 * 1000 });
    expect(old.status).toBe(401);
    expect(await code(old)).toBe('stale_webhook');
    expect((await webhook(f, publishEvent('2030-01-01T00:00:00.000Z'), { timestamp: Date.now() + 6 * 60 * 1000 })).status).toBe(401);
    expect((await f.deps.tokens.site(SITE.id))?.publishedAt).toBeUndefined();
  });

  it('acts on a valid site_publish once: the site no longer waits to be published; a replay is not acted on', async () => {
    const before = await (await post(f, session, SITE.id, 'install')).json();
    expect(before).toMatchObject({ publishNeeded: true });
    const timestamp = Date.now();
    const publishedOn = new Date(timestamp).toISOString();
    const res = await webhook(f, publishEvent(publishedOn), { timestamp });
    expect(res.status).toBe(200);
    expect((await f.deps.tokens.site(SITE.id))?.publishedAt).toBe(publishedOn);
    expect(await (await post(f, session, SITE.id, 'install')).json()).toMatchObject({ publishNeeded: false });

    // The same delivery again (same timestamp and signature): answered, not acted on.
    await f.deps.tokens.putSite({ ...(await f.deps.tokens.site(SITE.id))!, publishedAt: undefined });
    const replay = await webhook(f, publishEvent(publishedOn), { timestamp });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ ok: true, replayed: true });
    expect((await f.deps.tokens.site(SITE.id))?.publishedAt).toBeUndefined();
  });

  it('answers 200 to a signed trigger it does not handle', async () => {
    const res = await webhook(f, { triggerType: 'form_submission', payload: { siteId: SITE.id, name: 'Contact' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, handled: false });
  });
});
