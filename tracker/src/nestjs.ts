/**
 * `@cairn/tracker/nestjs`: server events from a NestJS app, on the client of server.ts.
 *
 *   @Module({ imports: [CairnModule.forRoot({ collector: 'https://stats.example.com', site: 'SITE_ID' })] })
 *   …
 *   @Post('signup') @Track('signup', (user: User) => ({ plan: user.plan }))
 *
 * One client per `forRoot()`, under CAIRN_CLIENT (services inject it and call track() themselves),
 * closed on application shutdown so that `app.close()` sends what is queued. `@Track` tracks after
 * the handler succeeded (its observable completed), as the visitor whose request it answered.
 * Written without decorator syntax: the tracker's build has no `experimentalDecorators`, so Nest's
 * decorators are applied as the functions they are.
 */
import { Inject, Injectable, Logger, Module, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import type { CallHandler, DynamicModule, ExecutionContext, InjectionToken, ModuleMetadata, NestInterceptor, OnApplicationShutdown, OptionalFactoryDependency, Provider } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { tap, type Observable } from 'rxjs';
import { createClient, type Client, type ClientOptions, type Props } from './server.ts';

export type { Client, ClientOptions, ClientStats, Props, TrackOptions } from './server.ts';

/** The injection token of the module's client: `@Inject(CAIRN_CLIENT) cairn: Client`, or `@InjectCairn()`. */
export const CAIRN_CLIENT = 'CAIRN_CLIENT';
const CAIRN_OPTIONS = 'CAIRN_OPTIONS';
const TRACK = 'cairn:track';
const PREFIX = '[@cairn/tracker/nestjs]';

export interface CairnModuleOptions extends ClientOptions {
  /** Register the client and `@Track` for every module of the app. Default true. */
  global?: boolean;
}

export interface CairnModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  // Nest's own FactoryProvider types its arguments so: they are whatever `inject` lists.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => ClientOptions | Promise<ClientOptions>;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Default true. */
  global?: boolean;
}

/** The request of a route as Express (Nest's default platform) hands it over. */
export interface HttpRequest {
  url?: string;
  /** Express: the URL before a router stripped its mount path. */
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  /** Express: `http` or `https`, from X-Forwarded-Proto when Express trusts the proxy. */
  protocol?: string;
  /** Express: the client's address, from X-Forwarded-For when Express trusts the proxy (`trust proxy`). */
  ip?: string;
}

export interface TrackDecoratorOptions<Req = HttpRequest> {
  /**
   * Track the event also when the handler throws: `true` with the static props (a props function
   * is not called, there is no result), or a function of the error that returns the props.
   */
  onError?: boolean | ((error: unknown, request: Req) => Props | undefined);
}

interface TrackSpec {
  name: string;
  props?: Props | ((result: unknown, request: unknown) => Props | undefined);
  onError?: boolean | ((error: unknown, request: unknown) => Props | undefined);
}

/** The handlers that have a @Track. */
const tracked = new WeakSet<object>();

/**
 * Tracks `name` once the handler succeeded, with `props`: flat props, or a function of the
 * handler's result and the request. Nothing is tracked when the handler throws, unless `onError`.
 */
export function Track<Result = unknown, Req = HttpRequest>(
  name: string,
  props?: Props | ((result: Result, request: Req) => Props | undefined),
  options: TrackDecoratorOptions<Req> = {},
): MethodDecorator {
  if (typeof name !== 'string' || name.length === 0 || name.length > 120) throw new TypeError(`${PREFIX} @Track(name): the event name is 1–120 characters, got ${JSON.stringify(name)}`);
  const spec = { name, props, onError: options.onError } as TrackSpec;
  const decorate = applyDecorators(SetMetadata(TRACK, spec), UseInterceptors(CairnInterceptor));
  return (target, key, descriptor) => {
    // A second @Track would replace the first's event and add a second interceptor: two of it.
    const handler = descriptor.value as object;
    if (tracked.has(handler)) throw new TypeError(`${PREFIX} @Track("${name}"): ${String(key)}() has a @Track already (one event per handler)`);
    tracked.add(handler);
    decorate(target, key, descriptor);
  };
}

/** `@InjectCairn() cairn: Client`: the module's client, for events a service tracks itself. */
export const InjectCairn = (): PropertyDecorator & ParameterDecorator => Inject(CAIRN_CLIENT);

/** The interceptor of `@Track`: tracks after the handler, for HTTP routes (other contexts pass through). */
export class CairnInterceptor implements NestInterceptor {
  readonly #reflector: Reflector;
  readonly #client: Client;
  readonly #options: ClientOptions;
  readonly #logger = new Logger('CairnModule');

  constructor(reflector: Reflector, client: Client, options: ClientOptions) {
    this.#reflector = reflector;
    this.#client = client;
    this.#options = options;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.#reflector.get<TrackSpec | undefined>(TRACK, context.getHandler());
    if (!spec || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    let result: unknown;
    return next.handle().pipe(
      tap({
        next: (value) => void (result = value),
        // Once the response's observable completed: a stream (SSE) is tracked at its end.
        complete: () => this.#track(spec, request, () => (typeof spec.props === 'function' ? spec.props(result, request) : spec.props)),
        error: (error: unknown) => {
          if (!spec.onError) return;
          this.#track(spec, request, () => (typeof spec.onError === 'function' ? spec.onError(error, request) : typeof spec.props === 'function' ? undefined : spec.props));
        },
      }),
    );
  }

  /** Never fails the request: a props function that throws or a closed client is logged. */
  #track(spec: TrackSpec, request: HttpRequest, props: () => Props | undefined): void {
    try {
      // The page is the URL the visitor asked for; the address Express's req.ip (it honours the
      // app's `trust proxy`), unless the client reads X-Forwarded-For itself (trustProxy).
      const visitor = { url: request.originalUrl ?? request.url, headers: request.headers, socket: request.socket, protocol: request.protocol };
      this.#client.track(spec.name, props(), { request: visitor, address: this.#options.trustProxy ? undefined : request.ip });
    } catch (error) {
      this.#logger.error(`${PREFIX} "${spec.name}" was not tracked: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
Injectable()(CairnInterceptor);
Inject(Reflector)(CairnInterceptor, undefined, 0);
Inject(CAIRN_CLIENT)(CairnInterceptor, undefined, 1);
Inject(CAIRN_OPTIONS)(CairnInterceptor, undefined, 2);

function clientOf(options: ClientOptions): Client {
  try {
    return createClient(options);
  } catch (error) {
    throw new TypeError(`${PREFIX} CairnModule: ${(error as Error).message.replace(/^createClient: /, '')}`, { cause: error });
  }
}

/** The module: `CairnModule.forRoot(options)` or `CairnModule.forRootAsync({ useFactory, inject, imports })`. */
export class CairnModule implements OnApplicationShutdown {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  /** A client with these options (those of `createClient()`, plus `global`). */
  static forRoot(options: CairnModuleOptions): DynamicModule {
    return CairnModule.#define([{ provide: CAIRN_OPTIONS, useValue: options }], options.global);
  }

  /** A client with the options `useFactory` resolves to, given the providers `inject` names. */
  static forRootAsync(options: CairnModuleAsyncOptions): DynamicModule {
    const provider = { provide: CAIRN_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] };
    return { ...CairnModule.#define([provider], options.global), imports: options.imports ?? [] };
  }

  static #define(providers: Provider[], global = true): DynamicModule {
    return {
      module: CairnModule,
      global,
      providers: [...providers, { provide: CAIRN_CLIENT, useFactory: clientOf, inject: [CAIRN_OPTIONS] }],
      // The interceptor of each @Track is created in its controller's module, from these.
      exports: [CAIRN_CLIENT, CAIRN_OPTIONS],
    };
  }

  /** After the HTTP server closed (in-flight requests tracked): send what is queued. */
  async onApplicationShutdown(): Promise<void> {
    await this.#client.close();
  }
}
Module({})(CairnModule);
Inject(CAIRN_CLIENT)(CairnModule, undefined, 0);
