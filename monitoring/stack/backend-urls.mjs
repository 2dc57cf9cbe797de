/**
 * The backends `npm run monitoring` watches: BACKEND_URLS, the comma-separated replicas of a
 * fleet, or BACKEND_URL for one backend; http://localhost:5000 when neither is set.
 */

export const DEFAULT_BACKEND_URL = 'http://localhost:5000';

/**
 * host:port of each backend named by the environment, without repeats.
 * @param {Record<string, string | undefined>} env
 * @returns {string[]}
 * @throws {Error} naming the variable and the value that is not an http(s) URL
 */
export function backendHosts(env) {
  const variable = env.BACKEND_URLS ? 'BACKEND_URLS' : 'BACKEND_URL';
  const listed = (env[variable] ?? DEFAULT_BACKEND_URL).split(',').map((url) => url.trim()).filter(Boolean);
  if (listed.length === 0) throw new Error(`${variable} names no backend: give http://host:port, comma-separated for several replicas`);
  const hosts = listed.map((url) => {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !parsed.host) {
      throw new Error(`${variable}: "${url}" is not an http://host:port URL (comma-separate several replicas)`);
    }
    return parsed.host;
  });
  return [...new Set(hosts)];
}
