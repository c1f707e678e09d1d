// GraphiQL for memql, bundled from the installed packages (web/build.mjs):
// the README's first operations as tabs, a headers editor waiting for a key,
// subscriptions over graphql-ws on the same URL, the docs explorer.

import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { buildSchema, Kind, parse } from 'graphql';
import { createRoot } from 'react-dom/client';
import { graphqlUrl, websocketUrl } from '../shared/endpoints.js';
import './graphiql.css';

declare const __README_TABS__: { query: string }[];
declare const __SCHEMA_SDL__: string;

// The schema is bundled (schema.graphql, which a test keeps equal to the
// server's): the docs explorer and completion work before a key is typed,
// and GraphiQL sends no introspection query (which, like everything, needs a key).
const schema = buildSchema(__SCHEMA_SDL__);

// Monaco runs its language services in web workers, served beside this bundle.
const WORKERS: Record<string, string> = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return new Worker(new URL(WORKERS[label] ?? 'editor.worker.js', import.meta.url));
  },
};

// Headers typed in the editor go with every HTTP request and, for a
// subscription, into graphql-ws's connectionParams (where memql reads the key).
const toolkitFetcher = createGraphiQLFetcher({ url: graphqlUrl(), subscriptionUrl: websocketUrl() });

/**
 * GraphiQL's parsed document and operation name lag behind the editor while
 * parsing is debounced: the toolkit would pick WebSocket or HTTP from the old
 * document, and the request would name an operation the new text no longer
 * has ("Unknown operation named ..."). Both are decided from the query
 * actually sent.
 */
const fetcher: typeof toolkitFetcher = (params, options) => {
  let documentAST = options?.documentAST;
  let operationName = params.operationName;
  try {
    documentAST = parse(params.query);
    const names = documentAST.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    );
    const operations = documentAST.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    // A stale name: the only operation is the one meant; among several, the server asks which.
    if (operationName && !names.includes(operationName)) operationName = operations.length === 1 ? names[0] : undefined;
  } catch {
    // GraphiQL shows the syntax error; the server answers with it too
  }
  return toolkitFetcher({ ...params, operationName }, { ...options, documentAST });
};

const HEADERS = `{
  "authorization": "Bearer <your key>"
}`;

function Page() {
  return (
    <div className="memql-page">
      <div className="memql-note" role="note">
        <strong>memql</strong> · Put your key in <em>Headers</em> below. The admin key is in{' '}
        <code>.memql/admin.key</code> (in <code>MEMQL_DATA_DIR</code>), printed once at the first start. ·{' '}
        <a href="/dashboard">Dashboard</a>
      </div>
      <div className="memql-graphiql">
        <GraphiQL
          fetcher={fetcher}
          schema={schema}
          defaultTabs={__README_TABS__}
          defaultHeaders={HEADERS}
          defaultEditorToolsVisibility="headers"
          shouldPersistHeaders={false}
        />
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<Page />);
