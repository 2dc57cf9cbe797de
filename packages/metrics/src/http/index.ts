/**
 * The HTTP family without a framework: the recorder the Hono middleware and instrument() share,
 * and the wrapper of a node:http request listener.
 */
export { httpRecorder, HttpRecorder, RouteSeries, DEFAULT_EXCLUDED_PATHS, UNMATCHED_ROUTE, type HttpRecorderOptions } from './recorder.js';
export { instrumentNodeHttp, type NodeHttpOptions } from './node-http.js';
