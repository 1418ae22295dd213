// The build's replacement for codegen's graphql() lookup table. The client
// preset's graphql(`...`) returns the document from one map in src/gql/gql.ts
// that holds every document of the app (and src/gql/graphql.ts holds each
// as a verbose AST), so the first page to import graphql() loaded all of
// them: about 90 KiB of the initial JavaScript. This plugin replaces each
// call with its document as one compact string (fragments included), where
// it is written, so a page's documents travel in that page's chunk and the
// shared map is never bundled. urql parses a string document as it parses
// any other. Types are untouched: tsc still sees the typed graphql() calls.
// The codegen documentation's babel/swc plugins do the same with imports;
// this needs neither compiler.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { print, stripIgnoredCharacters, type DocumentNode } from 'graphql';
import MagicString from 'magic-string';
import type { Plugin } from 'vite';

/** graphql(`...`) with a plain template (the client preset allows no interpolation). */
const CALL = /\bgraphql\(\s*`([^`]*)`\s*\)/g;
/** The first definition of a document: its kind and name. */
const DEFINITION = /\b(query|mutation|subscription|fragment)\s+([A-Za-z_]\w*)/;
/** One generated document in src/gql/graphql.ts. */
const GENERATED = /^export const (\w+) = (\{.*\}) as unknown as DocumentNode<.*$/gm;

/** Reads every generated document as compact GraphQL text, by export name. */
export function readGeneratedDocuments(file: string): Map<string, string> {
  const docs = new Map<string, string>();
  for (const m of readFileSync(file, 'utf8').matchAll(GENERATED)) {
    docs.set(m[1], stripIgnoredCharacters(print(JSON.parse(m[2]) as DocumentNode)));
  }
  return docs;
}

/** The export name codegen gives the document that `source` defines. */
export function generatedName(source: string): string | null {
  const m = DEFINITION.exec(source);
  if (!m) return null;
  return m[1] === 'fragment' ? `${m[2]}FragmentDoc` : `${m[2]}Document`;
}

/** Replaces graphql() calls in the app's source (not the generated folder) with their documents. */
export function graphqlDocuments(options: { generated: string }): Plugin {
  const generatedDir = path.dirname(options.generated);
  let docs: Map<string, string> | null = null;
  return {
    name: 'clipcut-graphql-documents',
    apply: 'build',
    enforce: 'pre',
    buildStart() {
      docs = readGeneratedDocuments(options.generated);
      this.addWatchFile(options.generated);
    },
    transform(code, id) {
      const file = id.split('?')[0];
      if (!/\.[cm]?[jt]sx?$/.test(file) || file.includes('/node_modules/') || file.startsWith(generatedDir + path.sep)) return null;
      if (!code.includes('graphql(')) return null;
      const s = new MagicString(code);
      for (const m of code.matchAll(CALL)) {
        const name = generatedName(m[1]);
        const doc = name ? docs?.get(name) : undefined;
        if (!doc) {
          // A document codegen has not seen: the build would ship {} (what
          // graphql() returns for an unknown source). Run `npm run codegen`.
          this.error(`${path.relative(process.cwd(), file)}: no generated document ${name ?? '(unnamed)'} for a graphql() call; run npm run codegen`);
        }
        s.overwrite(m.index, m.index + m[0].length, JSON.stringify(doc));
      }
      if (!s.hasChanged()) return null;
      return { code: s.toString(), map: s.generateMap({ hires: 'boundary', source: id }) };
    },
  };
}
