import { describe, expect, it } from 'vitest';
import { parseMailFrom, parseSmtpUrl, smtpLabel } from './smtp-url.ts';

describe('parseSmtpUrl', () => {
  it('reads the server, the port (or the usual one for the scheme) and the %-decoded login', () => {
    expect(parseSmtpUrl(' smtps://mailer%40example.com:p%40ss%3Aword@smtp.example.com ')).toEqual({ secure: true, host: 'smtp.example.com', port: 465, auth: { user: 'mailer@example.com', pass: 'p@ss:word' } });
    expect(parseSmtpUrl('smtp://apikey:s3cret@smtp.example.com')).toMatchObject({ secure: false, port: 587 });
    expect(parseSmtpUrl('smtp://apikey:s3cret@smtp.example.com:2525/')).toMatchObject({ secure: false, port: 2525 });
    expect(parseSmtpUrl('smtp://localhost:25')).toEqual({ secure: false, host: 'localhost', port: 25, auth: null });
    expect(parseSmtpUrl('smtp://[::1]:25')).toMatchObject({ host: '::1', port: 25 });
  });

  it('says what is wrong with a bad URL, and never repeats the password', () => {
    const cases: [string, RegExp][] = [
      ['', /^must be an smtp:\/\/ or smtps:\/\/ URL/],
      ['mail.example.com', /^must be an smtp:\/\/ or smtps:\/\/ URL/],
      ['https://user:hunter2hunter2@mail.example.com', /^must start with smtp:\/\/ or smtps:\/\/, not https:/],
      ['smtp://user:hunter2hunter2@mail.example.com:99999', /port, if given, is a number from 1 to 65535/],
      ['smtp://user:hunter2hunter2@mail.example.com:0', /^needs a port from 1 to 65535/],
      ['smtp:///', /^must name the SMTP server/],
      ['smtp://user:hunter2hunter2@mail_example!com', /^must name the SMTP server/],
      ['smtp://user:hunter2hunter2@mail.example.com/inbox', /^takes no path/],
      ['smtp://user:hunter2hunter2@mail.example.com?tls=off', /^takes no query string or fragment/],
      ['smtp://user@mail.example.com', /^has a user name but no password/],
      ['smtp://:hunter2hunter2@mail.example.com', /^has a password but no user name/],
      ['smtp://user:hunter2%ZZ@mail.example.com', /^has a malformed %-escape/],
    ];
    for (const [url, why] of cases) {
      const err = (() => {
        try {
          parseSmtpUrl(url);
          return null;
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message, url).toMatch(why);
      expect(err?.message, url).toContain('e.g. smtps://user:password@smtp.example.com:465');
      expect(err?.message, url).not.toContain('hunter2');
    }
  });

  it('labels a server without its login', () => {
    expect(smtpLabel(parseSmtpUrl('smtps://user:hunter2@smtp.example.com'))).toBe('smtps://smtp.example.com:465');
    expect(smtpLabel(parseSmtpUrl('smtp://[::1]'))).toBe('smtp://[::1]:587');
  });
});

describe('parseMailFrom', () => {
  it('takes one address, with or without a name', () => {
    expect(parseMailFrom(' cairn@example.com ')).toBe('cairn@example.com');
    expect(parseMailFrom('Cairn Analytics <cairn@example.com>')).toBe('Cairn Analytics <cairn@example.com>');
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'cairn', 'cairn@localhost', 'a@example.com, b@example.com', 'Cairn <cairn@example.com>\r\nBcc: eve@example.com', 'Team: a@example.com;']) {
      expect(() => parseMailFrom(bad), bad).toThrow(/^must be one email address/);
    }
  });
});
