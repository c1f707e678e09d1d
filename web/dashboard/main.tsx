// The memql dashboard: sign in with a key (kept in this tab's session storage
// only), the project's users with their counts, one user's profile, history,
// buffer and search, and live feeds (memoryEvents for the project,
// profileChanged for the open user) that update the page in place.

import { type FormEvent, StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  type MemoryEventFieldsFragment,
  MemoryEventsDocument,
  type MemoryChangeFieldsFragment,
  ProfileChangedDocument,
  ProjectDocument,
  SearchUserMemoriesDocument,
  UsersDocument,
} from '../../src/client/index.js';
import { type Api, createApi } from './api.js';
import './dashboard.css';
import { when } from './format.js';
import { useQuery, useSubscription } from './hooks.js';
import { UserPanel } from './user-panel.js';

const KEY_STORAGE = 'memql.dashboard.key';
const FEED_LENGTH = 50;

function App() {
  const [key, setKey] = useState(() => sessionStorage.getItem(KEY_STORAGE));
  const api = useMemo(() => (key ? createApi(key) : null), [key]);
  useEffect(() => () => api?.close(), [api]);
  if (!api)
    return (
      <SignIn
        onSignedIn={(value) => {
          sessionStorage.setItem(KEY_STORAGE, value);
          setKey(value);
        }}
      />
    );
  return (
    <Dashboard
      api={api}
      onSignOut={() => {
        sessionStorage.removeItem(KEY_STORAGE);
        setKey(null);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const api = createApi(value.trim());
    try {
      await api.request(ProjectDocument, {});
      onSignedIn(value.trim());
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      api.close();
    }
  };
  return (
    <main className="sign-in">
      <form onSubmit={submit}>
        <h1>memql dashboard</h1>
        <label htmlFor="key">API key</label>
        <input
          id="key"
          type="password"
          autoComplete="off"
          placeholder="mq_…"
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit" disabled={!value.trim()}>
          Sign in
        </button>
        {error && <p className="error">{error}</p>}
        <p className="muted">
          The admin key is in <code>.memql/admin.key</code>. The key stays in this tab only (session storage).
        </p>
      </form>
    </main>
  );
}

interface FeedItem {
  id: string;
  at: string;
  userId: string;
  title: string;
  changes: Pick<MemoryChangeFieldsFragment, 'kind' | 'before' | 'after'>[];
  source: 'memoryEvents' | 'profileChanged';
}

function Dashboard({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const project = useQuery(api, ProjectDocument, {}, 0);
  const [selected, setSelected] = useState<string | null>(null);
  const [usersVersion, setUsersVersion] = useState(0);
  const [userVersion, setUserVersion] = useState(0);
  const [feed, setFeed] = useState<FeedItem[]>([]);
  const [live, setLive] = useState<'connecting' | 'connected' | 'closed'>('connecting');
  const users = useQuery(api, UsersDocument, { first: 100 }, usersVersion);

  useEffect(
    () =>
      api.onConnection((state, reason) => {
        setLive(state);
        if (state === 'closed' && reason) console.warn(`live feed closed: ${reason}`);
      }),
    [api],
  );
  const push = (item: FeedItem) => setFeed((items) => [item, ...items.filter((x) => x.id !== item.id)].slice(0, FEED_LENGTH));

  useSubscription(api, MemoryEventsDocument, {}, ({ memoryEvents }: { memoryEvents: MemoryEventFieldsFragment }) => {
    push({
      id: `event-${memoryEvents.id}`,
      at: memoryEvents.createdAt,
      userId: memoryEvents.user.id,
      title: memoryEvents.summary,
      changes: memoryEvents.changes,
      source: 'memoryEvents',
    });
    setUsersVersion((v) => v + 1);
    if (memoryEvents.user.id === selected) setUserVersion((v) => v + 1);
  });
  useSubscription(api, ProfileChangedDocument, selected ? { userId: selected } : null, ({ profileChanged }) => {
    push({
      id: `change-${profileChanged.id}`,
      at: profileChanged.createdAt,
      userId: selected ?? '',
      title: `${profileChanged.topic} / ${profileChanged.subTopic} (${profileChanged.actor === 'API' ? 'API edit' : 'extracted'})`,
      changes: [profileChanged],
      source: 'profileChanged',
    });
    setUserVersion((v) => v + 1);
  });

  const edges = users.data?.users.edges ?? [];
  return (
    <div className="dashboard">
      <header className="top">
        <h1>memql</h1>
        <span className="project">project {project.data?.project.name ?? '…'}</span>
        <span className={`live ${live}`} data-testid="live-state">
          {live === 'connected' ? '● live' : live === 'connecting' ? '○ connecting' : '○ offline'}
        </span>
        <a href="/graphiql">GraphiQL</a>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <aside className="users" aria-label="Users">
        <h2>
          Users <span className="muted">{users.data?.users.totalCount ?? ''}</span>
        </h2>
        {users.error && <p className="error">{users.error}</p>}
        <table>
          <thead>
            <tr>
              <th>id</th>
              <th title="Blobs stored">blobs</th>
              <th title="Live memories">memories</th>
            </tr>
          </thead>
          <tbody>
            {edges.map(({ node }) => (
              <tr
                key={node.id}
                className={node.id === selected ? 'selected' : undefined}
                onClick={() => setSelected(node.id)}
                data-user-id={node.id}
              >
                <td>{node.id}</td>
                <td className="count blobs">{node.blobCount}</td>
                <td className="count memories">{node.memoryCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {users.data?.users.pageInfo.hasNextPage && <p className="muted">The first 100 users are shown.</p>}
      </aside>
      <main className="main">
        {selected ? (
          <UserPanel
            key={selected}
            api={api}
            userId={selected}
            refresh={userVersion}
            memorySearch={async (userId, text) =>
              (await api.request(SearchUserMemoriesDocument, { userId, text, topK: 10 })).user?.searchMemories ?? []
            }
          />
        ) : (
          <p className="muted placeholder">Choose a user.</p>
        )}
      </main>
      <aside className="feed" aria-label="Live feed" data-testid="feed">
        <h2>Live</h2>
        {feed.length === 0 && <p className="muted">Changes appear here as they are committed.</p>}
        <ol>
          {feed.map((item) => (
            <li key={item.id} className={`feed-item ${item.source}`}>
              <div className="feed-head">
                <strong>{item.userId}</strong>
                <span className="muted">
                  {item.source === 'memoryEvents' ? 'batch' : 'profile change'} · {when(item.at)}
                </span>
              </div>
              <div className="feed-title">{item.title}</div>
              <ul>
                {item.changes.map((change, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: changes of one item never reorder
                  <li key={index}>
                    <span className={`kind ${change.kind.toLowerCase()}`}>{change.kind}</span> {change.after ?? change.before}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      </aside>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
