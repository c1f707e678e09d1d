// Search over a user's blobs (User.query): each matching blob shown whole,
// with the messages, character spans or stretches of time that matched
// highlighted in place. Memory search (User.searchMemories) plugs into the
// same box through `MemorySearch` once the server has it.

import { type FormEvent, type ReactNode, useState } from 'react';
import {
  type BlobDetailsFragment,
  type HitFieldsFragment,
  type MemoryDetailsFragment,
  SearchUserDocument,
  type SearchUserQuery,
} from '../../src/client/index.js';
import type { Api } from './api.js';
import { score, seconds, when } from './format.js';

type Match = NonNullable<SearchUserQuery['user']>['query'][number];
type MessageHit = Extract<HitFieldsFragment, { __typename: 'MessageHit' }>;
type TextSpanHit = Extract<HitFieldsFragment, { __typename: 'TextSpanHit' }>;
type TimeSpanHit = Extract<HitFieldsFragment, { __typename: 'TimeSpanHit' }>;

/** A memory search, when the server offers one: text in, memories with scores out. */
export type MemorySearch = (userId: string, text: string) => Promise<{ memory: MemoryDetailsFragment; score: number }[]>;

export function SearchPanel({ api, userId, memorySearch }: { api: Api; userId: string; memorySearch?: MemorySearch }) {
  const [text, setText] = useState('');
  const [mode, setMode] = useState<'blobs' | 'memories'>('blobs');
  const [matches, setMatches] = useState<Match[] | null>(null);
  const [memories, setMemories] = useState<{ memory: MemoryDetailsFragment; score: number }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      if (mode === 'memories' && memorySearch) {
        setMemories(await memorySearch(userId, text));
        setMatches(null);
      } else {
        const data = await api.request(SearchUserDocument, { userId, text, topK: 10 });
        setMatches(data.user?.query ?? []);
        setMemories(null);
      }
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="search">
      <form onSubmit={submit} className="search-box">
        <input
          aria-label="Search text"
          placeholder={mode === 'blobs' ? "Ask about this user's messages and documents…" : 'Search memories…'}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        {memorySearch && (
          <select aria-label="Search in" value={mode} onChange={(event) => setMode(event.target.value as 'blobs')}>
            <option value="blobs">messages and documents</option>
            <option value="memories">memories</option>
          </select>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {matches && matches.length === 0 && <p className="muted">Nothing found.</p>}
      {matches?.map((match) => (
        <article key={match.blob.id} className="match" data-testid="search-match">
          <header>
            <span className="badge">{match.blob.type}</span>
            <span className="muted">{when(match.blob.createdAt)}</span>
            <span className="score" title="HYBRID score, comparable within one search">
              score {score(match.score)}
            </span>
          </header>
          <BlobWithHits blob={match.blob} hits={match.hits} />
        </article>
      ))}
      {memories && memories.length === 0 && <p className="muted">No memory matches.</p>}
      {memories?.map(({ memory, score: value }) => (
        <article key={memory.id} className="match" data-testid="memory-match">
          <header>
            <span className="badge">
              {memory.topic} / {memory.subTopic}
            </span>
            <span className="score">score {score(value)}</span>
          </header>
          <p>{memory.text}</p>
        </article>
      ))}
    </section>
  );
}

/** The blob as stored, with its hits marked where they are. */
export function BlobWithHits({ blob, hits }: { blob: BlobDetailsFragment; hits: HitFieldsFragment[] }) {
  switch (blob.__typename) {
    case 'ChatBlob': {
      const byIndex = new Map(
        hits.filter((hit): hit is MessageHit => hit.__typename === 'MessageHit').map((hit) => [hit.index, hit]),
      );
      return (
        <ol className="chat">
          {blob.messages.map((message, index) => {
            const hit = byIndex.get(index);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages are addressed by position (MessageHit.index)
              <li key={index} className={hit ? 'hit' : undefined} data-hit={hit ? 'true' : undefined}>
                <span className="role">{message.name ?? message.role}</span>
                {hit ? <mark>{message.content}</mark> : message.content}
                {hit && <span className="score">{score(hit.score)}</span>}
              </li>
            );
          })}
        </ol>
      );
    }
    case 'DocBlob':
      return (
        <div>
          {blob.title && <h4>{blob.title}</h4>}
          <Spans text={blob.content} hits={hits} />
        </div>
      );
    case 'SummaryBlob':
      return <Spans text={blob.summary} hits={hits} />;
    case 'CodeBlob':
      return (
        <pre className="code">
          <Spans text={blob.content} hits={hits} />
        </pre>
      );
    case 'TranscriptBlob': {
      const spans = hits.filter((hit): hit is TimeSpanHit => hit.__typename === 'TimeSpanHit');
      return (
        <ol className="transcript">
          {blob.segments.map((segment) => {
            const hit = spans.find((span) => segment.start >= span.startSeconds && segment.end <= span.endSeconds);
            return (
              <li key={segment.start} className={hit ? 'hit' : undefined} data-hit={hit ? 'true' : undefined}>
                <span className="time">
                  {seconds(segment.start)}–{seconds(segment.end)}
                </span>
                {segment.speaker && <span className="role">{segment.speaker}</span>}
                {hit ? <mark>{segment.text}</mark> : segment.text}
              </li>
            );
          })}
        </ol>
      );
    }
    default: {
      const unreachable: never = blob;
      return <p className="error">Unknown blob {JSON.stringify(unreachable)}</p>;
    }
  }
}

/** Text with the [start, end) spans of its TextSpanHits marked. */
function Spans({ text, hits }: { text: string; hits: HitFieldsFragment[] }) {
  const spans = hits
    .filter((hit): hit is TextSpanHit => hit.__typename === 'TextSpanHit')
    .sort((a, b) => a.start - b.start);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue; // overlapping spans: the earlier one is already marked
    parts.push(text.slice(at, span.start));
    parts.push(
      <mark key={span.start} data-hit="true" title={`score ${score(span.score)}`}>
        {text.slice(span.start, span.end)}
      </mark>,
    );
    at = span.end;
  }
  parts.push(text.slice(at));
  return <p className="text">{parts}</p>;
}
