// The search results page, /search?q=…&date=…&length=…: videos whose title
// or description match (ranked, with highlights), then moments in what was
// said, each a link that starts playback at that second.
import { useEffect, useMemo } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useQuery } from 'urql';
import { Alert } from '../components/Alert';
import { Page } from '../components/Page';
import { LoadMore, usePageCursors, type PageInfoLike } from '../components/paging';
import { channelPath, Highlighted, VideoCard } from '../components/VideoCard';
import { formatClock, spokenClock } from '../format';
import { graphql } from '../gql';
import type { SearchFilter, UploadDate, VideoLength } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import './Search.css';

const SearchVideosDocument = graphql(`
  query SearchVideos($query: String!, $first: Int!, $after: String, $filter: SearchFilter) {
    search(query: $query, first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          ...VideoCardFields
          owner {
            id
            name
            handle
          }
        }
        titleHighlight {
          text
          match
        }
        descriptionHighlight {
          text
          match
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const SearchMomentsDocument = graphql(`
  query SearchMoments($query: String!) {
    searchTranscripts(query: $query, first: 10) {
      video {
        id
        title
        duration
        createdAt
        owner {
          id
          name
          handle
        }
      }
      cues {
        start
        text
      }
    }
  }
`);

const PAGE_SIZE = 20;

/** The date filter's choices: URL value, API value, label, and how far back. */
const DATES: { value: string; api: UploadDate; label: string; days: number }[] = [
  { value: '', api: 'ANY', label: 'Any time', days: 0 },
  { value: 'today', api: 'TODAY', label: 'Today', days: 1 },
  { value: 'week', api: 'WEEK', label: 'This week', days: 7 },
  { value: 'month', api: 'MONTH', label: 'This month', days: 30 },
  { value: 'year', api: 'YEAR', label: 'This year', days: 365 },
];

/** The length filter's choices, in seconds [min, max). */
const LENGTHS: { value: string; api: VideoLength; label: string; min: number; max: number }[] = [
  { value: '', api: 'ANY', label: 'Any length', min: 0, max: Infinity },
  { value: 'short', api: 'SHORT', label: 'Under 4 minutes', min: 0, max: 240 },
  { value: 'medium', api: 'MEDIUM', label: '4–20 minutes', min: 240, max: 1200 },
  { value: 'long', api: 'LONG', label: 'Over 20 minutes', min: 1200, max: Infinity },
];

/** The search the URL describes. */
export function parseSearch(search: string) {
  const params = new URLSearchParams(search);
  const q = (params.get('q') ?? '').trim().slice(0, 200);
  const date = DATES.find((d) => d.value === params.get('date')) ?? DATES[0]!;
  const length = LENGTHS.find((l) => l.value === params.get('length')) ?? LENGTHS[0]!;
  return { q, date, length };
}

/** The results page for the header's search box. */
export function Search() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const { q, date, length } = parseSearch(search);

  function setFilter(name: 'date' | 'length', value: string) {
    const params = new URLSearchParams(search);
    if (value) params.set(name, value);
    else params.delete(name);
    navigate(`/search?${params.toString()}`, { replace: true });
  }

  if (!q) {
    return (
      <Page title="Search">
        <p className="muted">Type what you are looking for in the search box above: words from a title, a description or anything said in a video.</p>
      </Page>
    );
  }

  const filter: SearchFilter = { uploaded: date.api, length: length.api };
  return (
    <Page title={`Results for “${q}”`}>
      <form className="search-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-date">Upload date</label>
          <select id="filter-date" value={date.value} onChange={(e) => setFilter('date', e.target.value)}>
            {DATES.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-length">Length</label>
          <select id="filter-length" value={length.value} onChange={(e) => setFilter('length', e.target.value)}>
            {LENGTHS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {/* A new search or filter starts the list over. */}
      <VideoResults key={`${q}|${date.api}|${length.api}`} q={q} filter={filter} />
      <Moments q={q} days={date.days} min={length.min} max={length.max} />
    </Page>
  );
}

function VideoResults({ q, filter }: { q: string; filter: SearchFilter }) {
  const { cursors, report, nextCursor, loadMore } = usePageCursors();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: SearchVideosDocument,
    variables: { query: q, first: PAGE_SIZE, after: null, filter },
  });

  return (
    <section className="search-section" aria-labelledby="videos-title">
      <h2 id="videos-title">Videos</h2>
      {error && !data ? (
        <div className="stack">
          <Alert>{formErrors(error).message}</Alert>
          <div>
            <button type="button" className="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
              Try again
            </button>
          </div>
        </div>
      ) : fetching && !data ? (
        <p className="muted" role="status">
          Searching…
        </p>
      ) : data?.search.edges.length === 0 ? (
        <p className="muted" role="status">
          No video titles or descriptions match “{q}”. Try other words, or a wider date or length.
        </p>
      ) : (
        <>
          <ul className="search-results" aria-label="Videos found">
            {cursors.map((after, i) => (
              <ResultsPage key={after ?? ''} index={i} q={q} filter={filter} after={after} report={report} />
            ))}
          </ul>
          {nextCursor && <LoadMore onLoad={loadMore} label="More results" />}
        </>
      )}
    </section>
  );
}

interface ResultsPageProps {
  index: number;
  q: string;
  filter: SearchFilter;
  after: string | null;
  report: (index: number, info: PageInfoLike | undefined) => void;
}

function ResultsPage({ index, q, filter, after, report }: ResultsPageProps) {
  const [{ data, fetching, error }] = useQuery({
    query: SearchVideosDocument,
    variables: { query: q, first: PAGE_SIZE, after, filter },
  });
  const pageInfo = data?.search.pageInfo;
  useEffect(() => report(index, pageInfo), [index, pageInfo, report]);
  if (error && !data) {
    return (
      <li>
        <Alert>{formErrors(error).message}</Alert>
      </li>
    );
  }
  if (fetching && !data) {
    return (
      <li className="muted" role="status">
        Loading more results…
      </li>
    );
  }
  return (
    <>
      {(data?.search.edges ?? []).map(({ node, titleHighlight, descriptionHighlight }) => (
        <li key={node.id} className="search-result">
          <VideoCard video={node} headingLevel={3} title={<Highlighted runs={titleHighlight} />}>
            {descriptionHighlight.length > 0 && (
              <p className="search-result__excerpt">
                <Highlighted runs={descriptionHighlight} />
              </p>
            )}
          </VideoCard>
        </li>
      ))}
    </>
  );
}

/** Moments in what was said, filtered like the videos (the API searches all of them). */
function Moments({ q, days, min, max }: { q: string; days: number; min: number; max: number }) {
  const [{ data, fetching, error }] = useQuery({ query: SearchMomentsDocument, variables: { query: q } });
  const words = useMemo(() => queryWords(q), [q]);
  const matches = useMemo(() => {
    const since = days ? Date.now() - days * 86_400_000 : 0;
    return (data?.searchTranscripts ?? []).filter(({ video }) => {
      if (since && new Date(video.createdAt).getTime() < since) return false;
      const d = video.duration ?? 0;
      return d >= min && d < max;
    });
  }, [data, days, min, max]);

  if (fetching && !data) return null;
  return (
    <section className="search-section" aria-labelledby="moments-title">
      <h2 id="moments-title">Moments</h2>
      {error && !data ? (
        <Alert>{formErrors(error).message}</Alert>
      ) : matches.length === 0 ? (
        <p className="muted">Nothing said in a video matches “{q}”.</p>
      ) : (
        <ul className="moments" aria-label="Moments found">
          {matches.map(({ video, cues }) => (
            <li key={video.id} className="moments__video">
              <h3 className="moments__title">
                <Link href={`/watch/${video.id}`}>{video.title}</Link>
              </h3>
              <p className="video-card__meta">
                <Link href={channelPath(video.owner)} className="owner-link">
                  {video.owner.name}
                </Link>
              </p>
              <ul className="moments__cues">
                {cues.map((cue) => (
                  <li key={cue.start}>
                    <Link href={`/watch/${video.id}?t=${Math.floor(cue.start)}`} className="moment">
                      <span className="moment__time" aria-hidden="true">
                        {formatClock(cue.start)}
                      </span>
                      <span className="visually-hidden">At {spokenClock(cue.start)}: </span>
                      <span className="moment__text">{markWords(cue.text, words)}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The words of a web-search query worth marking (no operators, no excluded words). */
export function queryWords(q: string): string[] {
  return q
    .replace(/"/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !w.startsWith('-') && w.toLowerCase() !== 'or')
    .map((w) => w.toLowerCase());
}

/** Marks the words of `text` that start with one of `words`, as React elements. */
export function markWords(text: string, words: readonly string[]) {
  if (words.length === 0) return text;
  // Split into words and the gaps between them; odd indexes are words.
  const parts = text.split(/([\p{L}\p{N}']+)/u);
  return parts.map((part, i) =>
    i % 2 === 1 && words.some((w) => part.toLowerCase().startsWith(w)) ? <mark key={i}>{part}</mark> : part,
  );
}
