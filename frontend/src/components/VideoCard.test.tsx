import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VideoCard, type CardVideo } from './VideoCard';

const video: CardVideo = {
  id: 'v1',
  title: 'Sunset timelapse',
  duration: 42,
  createdAt: '2026-01-02T03:04:05Z',
  viewCount: 3,
  owner: { id: 'u1', name: 'Grace', handle: 'grace' },
  playback: { posterUrl: '/media/videos/v1/poster.jpg', previewUrl: '/media/videos/v1/preview-0a1b.webp' },
};

const preview = (container: HTMLElement) => container.querySelector<HTMLImageElement>('.video-card__preview');

/** Makes matchMedia answer that the reader prefers reduced motion (or not). */
function prefersReducedMotion(reduce: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: reduce && query.includes('prefers-reduced-motion: reduce'),
    media: query,
    addEventListener() {},
    removeEventListener() {},
  }));
}

describe('VideoCard', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('plays the preview over the poster while hovered, and fetches it only then', async () => {
    prefersReducedMotion(false);
    const user = userEvent.setup();
    const { container } = render(<VideoCard video={video} />);
    expect(preview(container)).toBeNull();
    await user.hover(screen.getByRole('article'));
    expect(preview(container)?.getAttribute('src')).toBe('/media/videos/v1/preview-0a1b.webp');
    expect(preview(container)?.getAttribute('alt')).toBe('');
    await user.unhover(screen.getByRole('article'));
    expect(preview(container)).toBeNull();
  });

  it('plays it while keyboard focus is inside the card', async () => {
    prefersReducedMotion(false);
    const user = userEvent.setup();
    const { container } = render(
      <>
        <VideoCard video={video} />
        <button type="button">after</button>
      </>,
    );
    await user.tab();
    expect(screen.getByRole('link', { name: 'Sunset timelapse' })).toHaveFocus();
    expect(preview(container)).not.toBeNull();
    await user.tab(); // the owner's channel link: still inside
    expect(screen.getByRole('link', { name: 'Grace' })).toHaveFocus();
    expect(preview(container)).not.toBeNull();
    await user.tab();
    expect(screen.getByRole('button', { name: 'after' })).toHaveFocus();
    expect(preview(container)).toBeNull();
  });

  it('shows no animation to readers who prefer reduced motion', async () => {
    prefersReducedMotion(true);
    const user = userEvent.setup();
    const { container } = render(<VideoCard video={video} />);
    await user.hover(screen.getByRole('article'));
    await user.tab();
    expect(preview(container)).toBeNull();
    expect(container.querySelector('.video-thumb__img')?.getAttribute('src')).toBe('/media/videos/v1/poster.jpg');
  });

  it('keeps the poster when the video has no preview yet', async () => {
    prefersReducedMotion(false);
    const user = userEvent.setup();
    const { container } = render(<VideoCard video={{ ...video, playback: { posterUrl: '/p.jpg', previewUrl: null } }} />);
    await user.hover(screen.getByRole('article'));
    expect(preview(container)).toBeNull();
  });

  it('shows the plain thumbnail, not a broken image, when the poster does not load', () => {
    const { container } = render(<VideoCard video={video} />);
    const poster = container.querySelector<HTMLImageElement>('.video-thumb__img');
    expect(poster).not.toBeNull();
    fireEvent.error(poster!);
    expect(container.querySelector('.video-thumb__img')).toBeNull();
    expect(container.querySelector('.video-thumb')).not.toBeNull();
  });
});
