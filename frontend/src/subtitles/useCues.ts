import { useEffect, useState } from 'react';
import { parseVTT, type Cue } from './vtt';

/** A track's cues as they load. */
export type CuesState =
  | { status: 'idle' | 'loading'; cues: null; error: null }
  | { status: 'ready'; cues: Cue[]; error: null }
  | { status: 'error'; cues: null; error: string };

/**
 * Fetches a track's WebVTT and parses it (the API gives cues as files).
 * Subtitle files are served as immutable, yet an edited track keeps its
 * URL: `cache: 'no-cache'` revalidates (a 304 when nothing changed) so an
 * edit shows at once. `version` (e.g. the track's updatedAt) refetches
 * when it changes; a null `url` loads nothing.
 */
export function useCues(url: string | null, version?: string | number): CuesState & { retry: () => void } {
  const [state, setState] = useState<CuesState>({ status: 'idle', cues: null, error: null });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!url) {
      setState({ status: 'idle', cues: null, error: null });
      return;
    }
    const ctl = new AbortController();
    setState({ status: 'loading', cues: null, error: null });
    fetch(url, { signal: ctl.signal, credentials: 'same-origin', cache: 'no-cache' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        setState({ status: 'ready', cues: parseVTT(await res.text()), error: null });
      })
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return;
        const reason = err instanceof Error && err.message.startsWith('HTTP ') ? ` (${err.message})` : '';
        setState({ status: 'error', cues: null, error: `The subtitles could not be loaded${reason}. Check your connection and try again.` });
      });
    return () => ctl.abort();
  }, [url, version, attempt]);

  return { ...state, retry: () => setAttempt((n) => n + 1) };
}
