/**
 * Readable stack traces in the deployed bundles without `NODE_OPTIONS=--enable-source-maps`. That
 * flag makes Node read and parse every bundle's source map while it loads the bundle (about a
 * quarter more cold start, measured by `npm run bench -- --only cold-start`), to serve the few stack
 * traces an invocation ever formats. This module, which the bundling puts ahead of everything else
 * in each bundle (esbuild `inject`, infra/refresher-function.ts), costs nothing at load: it reads the
 * source map the first time a stack is formatted and maps the bundle's frames from then on, so an
 * error logged by a function still points at `functions/core/refresh-connection.ts:118:18`, not at
 * `index.mjs:1:93841`. Function names need no map: the bundles keep them (`keepNames`).
 *
 * Node built-ins only; nothing here may throw while a stack is formatted.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where this code runs: the bundle, once esbuild has inlined it (`import.meta.url` is the bundle's). */
const BUNDLE_URL = import.meta.url;

/**
 * Formats stacks with the frames of the bundle at `bundleUrl` mapped to their sources, from the map
 * next to it (`<bundle>.map`), loaded on first use. Frames elsewhere (Node's own, another file) and
 * every frame when the map cannot be read stay as V8 writes them.
 */
export function installSourceMappedStacks(bundleUrl: string): void {
  let map: SourceMap | null | undefined;
  Error.prepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]): string => {
    map ??= loadMap(bundleUrl);
    let stack = header(error);
    for (const site of callSites) stack += `\n    at ${frame(site, map, bundleUrl)}`;
    return stack;
  };
}

function loadMap(bundleUrl: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8')));
  } catch {
    return null;
  }
}

/** The first line, as V8 writes it: `name: message`, or whichever of the two is not empty. */
function header(error: Error): string {
  const name = error?.name === undefined ? 'Error' : String(error.name);
  const message = error?.message === undefined ? '' : String(error.message);
  if (name === '') return message;
  return message === '' ? name : `${name}: ${message}`;
}

/** One frame as V8 writes it, with a location in the bundle replaced by the source's. */
function frame(site: NodeJS.CallSite, map: SourceMap | null, bundleUrl: string): string {
  const text = site.toString();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (map === null || site.getFileName() !== bundleUrl || line === null || column === null) return text;
  const entry = map.findEntry(line - 1, column - 1) as Partial<SourceMapping>;
  if (entry.originalSource === undefined || entry.originalLine === undefined) return text;
  const source = `${readablePath(entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  return text.replace(`${bundleUrl}:${line}:${column}`, source);
}

/**
 * A source path relative to the project: the map names sources relative to where the bundle was
 * built (`../../functions/core/x.ts`, or an absolute `file://` URL), which says nothing in Lambda.
 */
function readablePath(source: string): string {
  const path = source.startsWith('file://') ? fileURLToPath(source) : source;
  const fromProject = /(?:^|\/)((?:functions|node_modules)\/.*)$/.exec(path);
  return fromProject?.[1] ?? path.replace(/^(?:\.\.\/)+/, '');
}

installSourceMappedStacks(BUNDLE_URL);
