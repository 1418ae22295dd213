// Where to go after logging in or signing up, carried in `?next=`.

/** The `next` query parameter if it is a path on this site, else "/". */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

/** Keeps the page to return to when switching between log-in and sign-up. */
export function withNext(path: string, next: string): string {
  return next === '/' ? path : `${path}?next=${encodeURIComponent(next)}`;
}

let navigated = false;

/** Records that the app moved to another page without a page load. */
export function markClientNavigation(): void {
  navigated = true;
}

/**
 * True once the app has changed pages in the browser. Until then the page
 * in view is the one the browser loaded, and timings start at navigation start.
 */
export function hasClientNavigated(): boolean {
  return navigated;
}
