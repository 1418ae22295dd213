import { useEffect, type ReactNode } from 'react';

interface PageProps {
  /** The page's heading, also used for the document title. */
  title: string;
  /** Hide the heading visually while keeping it for screen readers and focus. */
  hideTitle?: boolean;
  children: ReactNode;
}

/** A routed page: sets the document title and renders the page's one h1. */
export function Page({ title, hideTitle = false, children }: PageProps) {
  useEffect(() => {
    document.title = title === 'clipcut' ? 'clipcut' : `${title} · clipcut`;
  }, [title]);

  return (
    <>
      {/* Focused after client-side navigation (see App) so screen readers announce the new page. */}
      <h1 id="page-title" tabIndex={-1} className={hideTitle ? 'visually-hidden' : undefined}>
        {title}
      </h1>
      {children}
    </>
  );
}
