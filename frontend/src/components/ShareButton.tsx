// The watch page's Share button. The dialog it opens is its own chunk,
// loaded on the first click (or hover), so the app's initial JavaScript
// does not carry it.
import { lazy, Suspense, useEffect, useState } from 'react';
import type { Privacy } from '../gql/graphql';
import type { PlayerLink } from '../player/link';
import { seekToSharedStart } from './startTime';

/** What the dialog needs of the video. */
export interface SharedVideo {
  id: string;
  /** Names an UNLISTED video in its links (its id opens it only to its owner); null when not shown. */
  publicId?: string | null;
  title: string;
  privacy: Privacy;
  width?: number | null;
  height?: number | null;
}

const loadDialog = () => import('./ShareDialog');
const ShareDialog = lazy(() => loadDialog().then((m) => ({ default: m.ShareDialog })));

/** Seeks the watch page's player to a shared link's `?t=` once it can. */
export function useSharedStart() {
  useEffect(() => seekToSharedStart(window.location.search), []);
}

/** The Share button of the watch page, with its dialog. */
export function ShareButton({ video, link, isOwner }: { video: SharedVideo; link?: PlayerLink; isOwner: boolean }) {
  const [open, setOpen] = useState(false);
  const [time, setTime] = useState(0);
  useSharedStart();
  return (
    <>
      <button
        type="button"
        className="button button--small share-button"
        // Inline: the dialog's stylesheet arrives with the dialog.
        style={{ display: 'inline-flex', alignItems: 'center', gap: '0.4rem' }}
        aria-haspopup="dialog"
        onPointerEnter={() => void loadDialog().catch(() => {})}
        onClick={() => {
          setTime(link?.getSnapshot().time ?? 0);
          setOpen(true);
        }}
      >
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M18 16a3 3 0 0 0-2.4 1.2l-6.7-3.4a3 3 0 0 0 0-1.6l6.7-3.4A3 3 0 1 0 15 7l-6.7 3.4a3 3 0 1 0 0 3.2L15 17a3 3 0 1 0 3-1z"
          />
        </svg>
        Share
      </button>
      {open && (
        <Suspense fallback={null}>
          <ShareDialog
            video={video}
            time={time}
            isOwner={isOwner}
            onClose={() => setOpen(false)}
          />
        </Suspense>
      )}
    </>
  );
}
