/** The package's version (app_info{version}, the API document): read from package.json, one level above src/ and dist/. */
import fs from 'node:fs';

export const VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
