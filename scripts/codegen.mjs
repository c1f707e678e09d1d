#!/usr/bin/env node
// Generates the typed documents and possibleTypes from the committed
// schema.graphql with @graphql-codegen/core (the plugins the CLI would run,
// without the CLI's network loaders). `npm run codegen` writes the files;
// `npm run codegen -- --check` exits 1 when a committed file is out of date.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as fragmentMatcher from '@graphql-codegen/fragment-matcher';
import * as typedDocumentNode from '@graphql-codegen/typed-document-node';
import * as typescriptOperations from '@graphql-codegen/typescript-operations';
import { buildSchema, parse } from 'graphql';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pluginMap = {
  'typescript-operations': typescriptOperations,
  'typed-document-node': typedDocumentNode,
  'fragment-matcher': fragmentMatcher,
};
const operationsConfig = {
  enumsAsTypes: true,
  useTypeImports: true,
  scalars: { DateTime: 'string', JSON: 'unknown' },
};

/** What is generated, from which operations. */
const targets = [
  {
    // The tests import these, so a schema change that breaks an operation fails type-checking.
    output: 'test/generated/graphql.ts',
    documents: 'test/operations',
    plugins: ['typescript-operations', 'typed-document-node'],
    config: operationsConfig,
  },
  {
    // memql/client: typed documents for the common operations (src/client/operations).
    output: 'src/client/generated/operations.ts',
    documents: 'src/client/operations',
    plugins: ['typescript-operations', 'typed-document-node'],
    config: operationsConfig,
  },
  {
    // memql/client: the members of every union and interface, for Apollo's InMemoryCache.
    output: 'src/client/generated/possible-types.ts',
    plugins: ['fragment-matcher'],
    config: { apolloClientVersion: 3, useExplicitTyping: true },
  },
];

async function graphqlFiles(dir) {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function generate(target, schemaText) {
  const files = target.documents ? await graphqlFiles(target.documents) : [];
  const documents = await Promise.all(
    files.map(async (location) => ({ location, document: parse(await readFile(path.join(root, location), 'utf8')) })),
  );
  return codegen({
    filename: target.output,
    schema: parse(schemaText),
    schemaAst: buildSchema(schemaText),
    documents,
    config: target.config,
    plugins: target.plugins.map((name) => ({ [name]: {} })),
    pluginMap,
  });
}

const check = process.argv.includes('--check');
const schemaText = await readFile(path.join(root, 'schema.graphql'), 'utf8');
let stale = 0;
for (const target of targets) {
  const output = await generate(target, schemaText);
  const file = path.join(root, target.output);
  if (check) {
    const committed = await readFile(file, 'utf8').catch(() => null);
    if (committed !== output) {
      process.stderr.write(`${target.output} is out of date: run npm run codegen\n`);
      stale++;
    }
  } else {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, output);
    process.stdout.write(`wrote ${target.output}\n`);
  }
}
process.exit(stale ? 1 : 0);
