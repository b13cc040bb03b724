/**
 * CairnModule at startup, in a real Nest application context (no HTTP; the routes are in
 * nestjs.e2e.test.ts): wrong options stop the app with a message that says why, `@Track` refuses
 * an event name the collector would refuse, and `global` decides which modules get the client.
 * Nest's decorators are applied as functions: this package's TypeScript has no decorator syntax.
 */
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { CAIRN_CLIENT, CairnModule, Track, type Client, type CairnModuleOptions } from './nestjs.ts';

const options = { collector: 'https://stats.example.com', site: 'site-1' };
/** Without Nest's default of ending the process on a failed startup, and without its logs. */
const start = (root: object) => NestFactory.createApplicationContext(root, { abortOnError: false, logger: false });

/** An app whose feature module (which does not import CairnModule) injects the client. */
function appWith(cairn: CairnModuleOptions) {
  class Signups {
    readonly cairn: Client;
    constructor(cairn: Client) {
      this.cairn = cairn;
    }
  }
  Injectable()(Signups);
  Inject(CAIRN_CLIENT)(Signups, undefined, 0);
  class SignupsModule {}
  Module({ providers: [Signups], exports: [Signups] })(SignupsModule);
  class AppModule {}
  Module({ imports: [CairnModule.forRoot(cairn), SignupsModule] })(AppModule);
  return { AppModule, Signups };
}

describe('CairnModule', () => {
  it('stops the app at startup when its options are wrong, and says which', async () => {
    await expect(start(appWith({ ...options, collector: 'stats.example.com' }).AppModule)).rejects.toThrow(
      '[@cairn/tracker/nestjs] CairnModule: collector must be an http(s) URL, got "stats.example.com"',
    );
    await expect(start(appWith({ ...options, site: '' }).AppModule)).rejects.toThrow('[@cairn/tracker/nestjs] CairnModule: site is required');
  });

  it('gives every module the client, unless global: false', async () => {
    const app = appWith(options);
    const context = await start(app.AppModule);
    expect(typeof context.get(app.Signups).cairn.track).toBe('function');
    await context.close();
    await expect(start(appWith({ ...options, global: false }).AppModule)).rejects.toThrow(/CAIRN_CLIENT/);
  });

  it('refuses, when the route is declared, an event name the collector would refuse and a second @Track', () => {
    expect(() => Track('')).toThrow('[@cairn/tracker/nestjs] @Track(name): the event name is 1–120 characters, got ""');
    expect(() => Track('x'.repeat(121))).toThrow(/1–120 characters/);
    class Shop {
      signup() {}
    }
    const signup = Object.getOwnPropertyDescriptor(Shop.prototype, 'signup')!;
    Track('x'.repeat(120))(Shop.prototype, 'signup', signup);
    // Two would count each call twice.
    expect(() => Track('signup')(Shop.prototype, 'signup', signup)).toThrow('[@cairn/tracker/nestjs] @Track("signup"): signup() has a @Track already (one event per handler)');
  });
});
