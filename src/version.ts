// The package version, read once from package.json (dist/ and src/ both sit one level below it).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const SERVER_NAME = pkg.name;
export const SERVER_VERSION = pkg.version;
