import { useEffect, type ReactNode } from 'react';

interface PageProps {
  /** The page's heading, also used for the document title. */
  title: string;
  /** Hide the heading visually while keeping it for screen readers and focus. */
  hideTitle?: boolean;
  /** Shown above the heading (the watch page's player). */
  lead?: ReactNode;
  children: ReactNode;
}

/** A routed page: sets the document title and renders the page's one h1. */
export function Page({ title, hideTitle = false, lead, children }: PageProps) {
  useEffect(() => {
    document.title = title === 'clipcut' ? 'clipcut' : `${title} · clipcut`;
  }, [title]);

  return (
    <>
      {lead}
      {/* Focused after client-side navigation (see App) so screen readers announce the new page. */}
      <h1 id="page-title" tabIndex={-1} className={hideTitle ? 'visually-hidden' : undefined}>
        {title}
      </h1>
      {children}
    </>
  );
}
