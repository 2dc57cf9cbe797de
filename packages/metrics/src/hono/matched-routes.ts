/**
 * The route of the request instrument() is recording, from the router's own match: Hono calls
 * router.match synchronously inside app.fetch, before any handler runs, and the pattern is read
 * from the matched route entries with the rule of ./route.ts.
 */
import type { Hono } from 'hono';
import type { HttpRecorder, RouteSeries } from '../http/recorder.js';
import type { AnsweredErrors } from './answered-errors.js';
import { matchedPattern, type MatchedHandlers } from './route.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono app, whatever its bindings and schema
type AnyHono = Hono<any, any, any>;
/** A router's match: the matched handler list first. */
export type Match = readonly [MatchedHandlers, ...unknown[]];

/**
 * Calls `seen` with every match the router makes. SmartRouter and RegExpRouter replace their
 * own match method on first use, so it becomes an accessor: what they assign is what it calls.
 */
export function observeMatches(router: AnyHono['router'], seen: (result: Match, path: string) => void): void {
  type MatchFn = (this: unknown, method: string, path: string) => Match;
  let match = router.match.bind(router) as unknown as MatchFn;
  const observed: MatchFn = (method, path) => {
    // What a router assigns itself is called on it, as it would have been.
    const result = match.call(router, method, path);
    seen(result, path);
    return result;
  };
  Object.defineProperty(router, 'match', {
    configurable: true,
    enumerable: true,
    get: () => observed,
    set: (replacement: MatchFn) => (match = replacement),
  });
}

/** The series of one route pattern, by method label. */
export interface RouteMethods {
  pattern: string;
  series: Partial<Record<string, RouteSeries>>;
}

// A router that builds a new handler list per match (TrieRouter, LinearRouter) would only fill
// the identity cache: past this many misses beyond what the app's routes explain, it is dropped.
const MISSES_PER_PATTERN = 8;
const SPARE_MISSES = 1000;

/**
 * Route series by the router's handler list. RegExpRouter (SmartRouter's usual pick) returns
 * the same list object for every match of the same route, so after a route's first request its
 * series is one WeakMap lookup away.
 */
export class MatchedRoutes {
  private byHandlers: WeakMap<MatchedHandlers, RouteMethods> | undefined = new WeakMap();
  private readonly byPattern = new Map<string, RouteMethods>();
  private readonly unmatched: RouteMethods;
  private misses = 0;

  constructor(
    private readonly recorder: HttpRecorder,
    private readonly errors: AnsweredErrors,
  ) {
    this.unmatched = this.patternMethods(recorder.unmatched);
  }

  /** The route of a match's handler list. */
  of(handlers: MatchedHandlers): RouteMethods {
    // Unmatched requests get a new empty list each time.
    if (handlers.length === 0) return this.unmatched;
    return this.byHandlers?.get(handlers) ?? this.resolve(handlers);
  }

  series(route: RouteMethods, method: string): RouteSeries {
    return (route.series[method] ??= this.recorder.series(method, route.pattern));
  }

  private resolve(handlers: MatchedHandlers): RouteMethods {
    this.errors.observeSubApps(handlers);
    const route = this.patternMethods(matchedPattern(handlers, this.recorder.unmatched));
    if (++this.misses > SPARE_MISSES + MISSES_PER_PATTERN * this.byPattern.size) this.byHandlers = undefined;
    this.byHandlers?.set(handlers, route);
    return route;
  }

  private patternMethods(pattern: string): RouteMethods {
    let route = this.byPattern.get(pattern);
    if (!route) this.byPattern.set(pattern, (route = { pattern, series: {} }));
    return route;
  }
}
