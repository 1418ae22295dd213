import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.resetModules();
});

describe('warmAudioOutput', () => {
  it('preloads one muted silent clip that never plays, and lets it go once it is ready', async () => {
    const made: HTMLAudioElement[] = [];
    const RealAudio = globalThis.Audio;
    vi.stubGlobal(
      'Audio',
      class extends RealAudio {
        constructor() {
          super();
          made.push(this);
        }
      },
    );
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play');
    const load = vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => {});
    const { warmAudioOutput } = await import('./engine');

    warmAudioOutput();
    warmAudioOutput();

    expect(made).toHaveLength(1);
    const a = made[0] as HTMLAudioElement;
    expect(a.muted).toBe(true);
    expect(a.preload).toBe('auto');
    expect(a.getAttribute('src')).toMatch(/^data:audio\/wav;base64,/);
    expect(a.isConnected).toBe(false);

    a.dispatchEvent(new Event('canplay'));
    expect(a.hasAttribute('src')).toBe(false);
    expect(load).toHaveBeenCalledTimes(1);
    expect(play).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });

  it('is what loading the player starts', async () => {
    const made: unknown[] = [];
    vi.stubGlobal(
      'Audio',
      class {
        muted = false;
        preload = '';
        src = '';
        constructor() {
          made.push(this);
        }
        addEventListener() {}
      },
    );
    const { loadHls } = await import('./engine');
    const hls = loadHls();
    expect(made).toHaveLength(1);
    await hls.catch(() => {});
    vi.unstubAllGlobals();
  });
});
