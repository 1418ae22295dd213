import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import './SearchBox.css';

/** The header's search form: goes to /search?q=…, keeping the filters chosen there. */
export function SearchBox() {
  const [location, navigate] = useLocation();
  const search = useSearch();
  const current = location === '/search' ? (new URLSearchParams(search).get('q') ?? '') : '';
  const [text, setText] = useState(current);
  // Follow the results page's query (back and forward, a link to /search).
  useEffect(() => setText(current), [current]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const q = text.trim();
    if (!q) return;
    const params = location === '/search' ? new URLSearchParams(search) : new URLSearchParams();
    params.set('q', q);
    navigate(`/search?${params.toString()}`);
  }

  return (
    <form role="search" className="search-box" onSubmit={onSubmit} action="/search">
      <label htmlFor="site-search" className="visually-hidden">
        Search videos
      </label>
      <input
        id="site-search"
        className="search-box__input"
        type="search"
        name="q"
        placeholder="Search videos"
        autoComplete="off"
        enterKeyHint="search"
        maxLength={200}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="search-box__button">
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
          <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M13 13l4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <span className="visually-hidden">Search</span>
      </button>
    </form>
  );
}
