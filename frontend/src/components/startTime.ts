// A position in a shared link: `?t=` on the watch page, `start=` on the
// embed page. Shared by both entries, so kept free of React and the player.

/** Seconds from `90`, `90.5`, `1:30`, `1:02:03` or `1m30s`; 0 for anything else. */
export function parseStart(raw: string | null | undefined): number {
  if (!raw) return 0;
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (/^\d+(:\d{1,2}){1,2}$/.test(s)) return s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (m && s !== '') return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return 0;
}

/**
 * Seeks the page's player to the `?t=` of a shared link once its video knows
 * its length; returns the function that stops waiting. Media events do not
 * bubble, so it listens in the capture phase at the document.
 */
export function seekToSharedStart(search: string, doc: Document = document): () => void {
  const t = parseStart(new URLSearchParams(search).get('t'));
  if (t <= 0) return () => {};
  let done = false;
  const tryNow = () => {
    const v = doc.querySelector<HTMLVideoElement>('.player video');
    if (done || !v || !Number.isFinite(v.duration) || v.duration <= 0) return;
    done = true;
    v.currentTime = Math.min(t, v.duration);
    doc.removeEventListener('loadedmetadata', tryNow, true);
  };
  doc.addEventListener('loadedmetadata', tryNow, true);
  tryNow();
  return () => doc.removeEventListener('loadedmetadata', tryNow, true);
}
