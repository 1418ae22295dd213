// Relay-connection paging for lists whose pages are separate queries (so
// urql's document cache refetches each page on its own when a mutation
// touches its videos): the list renders one component per cursor, and the
// last page reports whether another one follows.
import { useCallback, useEffect, useRef, useState } from 'react';

/** The part of a connection's pageInfo paging needs. */
export interface PageInfoLike {
  hasNextPage: boolean;
  endCursor?: string | null;
}

/** Cursors of the loaded pages (null: the first page) and how to load the next. */
export function usePageCursors() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [infos, setInfos] = useState<Record<number, PageInfoLike>>({});

  const report = useCallback((index: number, info: PageInfoLike | undefined) => {
    setInfos((prev) => {
      const old = prev[index];
      if (!info) {
        if (!old) return prev;
        const rest = { ...prev };
        delete rest[index];
        return rest;
      }
      if (old && old.hasNextPage === info.hasNextPage && old.endCursor === info.endCursor) return prev;
      return { ...prev, [index]: { hasNextPage: info.hasNextPage, endCursor: info.endCursor ?? null } };
    });
  }, []);

  const last = infos[cursors.length - 1];
  const nextCursor = last?.hasNextPage && last.endCursor ? last.endCursor : null;
  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    setCursors((cs) => (cs.includes(nextCursor) ? cs : [...cs, nextCursor]));
  }, [nextCursor]);

  return { cursors, report, nextCursor, loadMore };
}

/**
 * A "Load more" button that also loads by itself when scrolled into view
 * (infinite scroll), where the browser can tell.
 */
export function LoadMore({ onLoad, label = 'Load more' }: { onLoad: () => void; label?: string }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onLoad();
    }, { rootMargin: '400px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [onLoad]);
  return (
    <div className="load-more">
      <button ref={ref} type="button" className="button" onClick={onLoad}>
        {label}
      </button>
    </div>
  );
}
