// One user: profile by topic, the memory history timeline, the buffer, and
// search. Everything refreshes in place when a live event for this user
// arrives (`refresh` changes).

import { useState } from 'react';
import {
  type BlobDetailsFragment,
  type MemoryChangeFieldsFragment,
  UserBufferDocument,
  UserProfileDocument,
  UserTimelineDocument,
  type UserTimelineQuery,
} from '../../src/client/index.js';
import type { Api } from './api.js';
import { excerpt, when } from './format.js';
import { useQuery } from './hooks.js';
import { type MemorySearch, SearchPanel } from './search.js';

const TABS = ['Profile', 'Timeline', 'Buffer', 'Search'] as const;
type Tab = (typeof TABS)[number];

export function UserPanel(props: { api: Api; userId: string; refresh: number; memorySearch?: MemorySearch }) {
  const [tab, setTab] = useState<Tab>('Profile');
  return (
    <section className="user-panel" aria-label={`User ${props.userId}`}>
      <header className="user-header">
        <h2>{props.userId}</h2>
        <nav className="tabs">
          {TABS.map((name) => (
            <button key={name} type="button" className={name === tab ? 'active' : undefined} onClick={() => setTab(name)}>
              {name}
            </button>
          ))}
        </nav>
      </header>
      {tab === 'Profile' && <Profile {...props} />}
      {tab === 'Timeline' && <Timeline {...props} />}
      {tab === 'Buffer' && <Buffer {...props} />}
      {tab === 'Search' && <SearchPanel api={props.api} userId={props.userId} memorySearch={props.memorySearch} />}
    </section>
  );
}

function Profile({ api, userId, refresh }: { api: Api; userId: string; refresh: number }) {
  const { data, error } = useQuery(api, UserProfileDocument, { userId }, refresh);
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const topics = data.user?.profile ?? [];
  if (topics.length === 0) return <p className="muted">No memories yet.</p>;
  return (
    <div className="profile" data-testid="profile">
      {topics.map((topic) => (
        <section key={topic.topic} className="topic">
          <h3>{topic.topic.replaceAll('_', ' ')}</h3>
          <ul>
            {topic.entries.map((memory) => (
              <li key={memory.id} data-memory-id={memory.id}>
                <span className="subtopic">{memory.subTopic.replaceAll('_', ' ')}</span>
                <span className="memory-text">{memory.text}</span>
                <span className="muted">{when(memory.updatedAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

type Change = MemoryChangeFieldsFragment & { sourceBlobs: BlobDetailsFragment[] };

/** Every change of the user's memories, newest first: extraction batches and hand edits, deletions included. */
function changesOf(data: UserTimelineQuery): Change[] {
  const user = data.user;
  if (!user) return [];
  const byId = new Map<string, Change>();
  for (const edge of user.events.edges) for (const change of edge.node.changes) byId.set(change.id, change);
  for (const edge of user.memories.edges) for (const change of edge.node.history) byId.set(change.id, change);
  return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function Timeline({ api, userId, refresh }: { api: Api; userId: string; refresh: number }) {
  const { data, error } = useQuery(api, UserTimelineDocument, { userId, events: 100, memories: 100 }, refresh);
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const changes = changesOf(data);
  if (changes.length === 0) return <p className="muted">No changes yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {changes.map((change) => (
        <li key={change.id} className={`change ${change.kind.toLowerCase()}`}>
          <div className="change-head">
            <span className={`kind ${change.kind.toLowerCase()}`}>{change.kind}</span>
            <span className="subtopic">
              {change.topic} / {change.subTopic}
            </span>
            <span className="muted">
              {change.actor === 'API' ? 'edited through the API' : 'extracted'} · {when(change.createdAt)}
            </span>
          </div>
          <div className="before-after">
            {change.before !== null && <del>{change.before}</del>}
            {change.before !== null && change.after !== null && <span className="arrow">→</span>}
            {change.after !== null && <ins>{change.after}</ins>}
          </div>
          {change.sourceBlobs.length > 0 && (
            <ul className="sources">
              {change.sourceBlobs.map((blob) => (
                <li key={blob.id}>
                  <span className="badge">{blob.type}</span> {excerpt(blobText(blob))}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

function blobText(blob: BlobDetailsFragment): string {
  switch (blob.__typename) {
    case 'ChatBlob':
      return blob.messages.map((message) => `${message.role}: ${message.content}`).join(' · ');
    case 'DocBlob':
      return blob.title ? `${blob.title}: ${blob.content}` : blob.content;
    case 'SummaryBlob':
      return blob.summary;
    case 'CodeBlob':
      return blob.content;
    case 'TranscriptBlob':
      return blob.segments.map((segment) => segment.text).join(' ');
    default: {
      const unreachable: never = blob;
      return String(unreachable);
    }
  }
}

function Buffer({ api, userId, refresh }: { api: Api; userId: string; refresh: number }) {
  const { data, error } = useQuery(api, UserBufferDocument, { userId }, refresh);
  if (error) return <p className="error">{error}</p>;
  const buffer = data?.user?.buffer;
  if (!buffer) return <p className="muted">Loading…</p>;
  return (
    <dl className="buffer" data-testid="buffer">
      <dt>State</dt>
      <dd>
        <span className={`state ${buffer.state.toLowerCase()}`}>{buffer.state}</span>
      </dd>
      <dt>Pending blobs</dt>
      <dd>{buffer.pendingBlobs}</dd>
      <dt>Pending tokens</dt>
      <dd>{buffer.pendingTokens}</dd>
      <dt>Failed attempts</dt>
      <dd>{buffer.attempts}</dd>
      {buffer.nextAttemptAt && (
        <>
          <dt>Next attempt</dt>
          <dd>{when(buffer.nextAttemptAt)}</dd>
        </>
      )}
      {buffer.lastError && (
        <>
          <dt>Last error</dt>
          <dd className="error">{buffer.lastError}</dd>
        </>
      )}
    </dl>
  );
}
