// What the watch page shares between the player and the panels next to it
// (the transcript): the playback position and the captions language, out
// of the player, and seeking, into it. A tiny store rather than React
// state, so the position (several updates a second) re-renders only what
// subscribes to it, never the whole page.

/** What the player publishes. */
export interface PlayerLinkState {
  /** The video's current time, in seconds. */
  time: number;
  /** Language of the captions shown (BCP 47, as the playlist names it), or null when off. */
  captionLanguage: string | null;
}

/** Connects one Player to whatever follows or drives it. */
export class PlayerLink {
  private state: PlayerLinkState = { time: 0, captionLanguage: null };
  private listeners = new Set<() => void>();
  private seeker: ((time: number, play: boolean) => void) | null = null;

  /** The latest state (a new object on every change, for useSyncExternalStore). */
  readonly getSnapshot = (): PlayerLinkState => this.state;

  /** Calls `listener` on every change; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Player side: publishes a change. */
  update(change: Partial<PlayerLinkState>): void {
    const next = { ...this.state, ...change };
    if (next.time === this.state.time && next.captionLanguage === this.state.captionLanguage) return;
    this.state = next;
    for (const l of this.listeners) l();
  }

  /** Player side: how to seek; returns the function that detaches it. */
  attach(seek: (time: number, play: boolean) => void): () => void {
    this.seeker = seek;
    return () => {
      if (this.seeker === seek) this.seeker = null;
    };
  }

  /** Seeks the player to `time` seconds, and starts it when `play`. False when no player is attached. */
  seek(time: number, play = false): boolean {
    if (!this.seeker) return false;
    this.seeker(time, play);
    return true;
  }
}

/** True when `a` and `b` name the same language (`en` matches `en-US`). */
export function sameLanguage(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.split('-')[0] === y.split('-')[0];
}
