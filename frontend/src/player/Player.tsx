// The watch page's video player: hls.js (loaded with the page, never in the
// initial bundle) or the browser's own HLS, custom controls with quality,
// captions, speed and chapter menus, storyboard previews, and keyboard
// shortcuts. A narrow player (a phone) folds quality, captions and speed
// into one settings menu. A stream that fails shows an error panel whose
// Retry starts the stream over. It measures the time to the first frame
// (navigation or page start to the first `playing` event) as a performance
// measure and a data attribute.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type Hls from 'hls.js';
import { formatClock } from '../format';
import { canPlayNativeHLS, canUseMediaSource, loadHls } from './engine';
import { chapterAt, parseChapters, type Chapter } from './chapters';
import { ChoiceMenu, type Choice } from './ChoiceMenu';
import { qualityLabel, qualityOptions, type LevelLike } from './quality';
import type { PlayerLink } from './link';
import './Player.css';
import { SeekBar } from './SeekBar';
import { SettingsMenu, type SettingsSection } from './SettingsMenu';
import { parseStoryboard, type StoryboardCue } from './storyboard';

export interface PlayerProps {
  /** HLS master playlist. */
  src: string;
  poster?: string | null;
  /** WebVTT storyboard for seek previews. */
  storyboardUrl?: string | null;
  /** WebVTT chapters track (Playback.chaptersUrl): seek-bar marks and a chapter menu. */
  chaptersUrl?: string | null;
  title: string;
  /** performance.now() time the first frame is measured from (0: navigation start). */
  startedAt: number;
  /** Width / height of the video, for the frame before it loads. */
  aspectRatio?: number | null;
  /** Called by Retry after an error, e.g. to fetch fresh signed URLs. */
  onRetry?: () => void;
  /** Shares the position and captions language with the page, and lets it seek (the transcript). */
  link?: PlayerLink;
  /** Start playing once loaded (default true); the studio waits for the creator. */
  autoPlay?: boolean;
}

/** Name of the performance mark set at the first `playing` event. */
export const FIRST_FRAME_MARK = 'clipcut:first-frame';
/** Name of the performance measure from `startedAt` to the first frame. */
export const FIRST_FRAME_MEASURE = 'clipcut:time-to-first-frame';

type Engine = 'hls.js' | 'native' | 'none';

/** A subtitle track the captions menu offers (hls.js subtitle track id, or index in video.textTracks). */
interface CaptionTrack {
  id: number;
  label: string;
  /** BCP 47 language from the playlist, when it names one. */
  language?: string;
}

/** The captions menu: Off, then each track. */
export function captionChoices(tracks: readonly CaptionTrack[]): Choice[] {
  return [{ value: -1, label: 'Off' }, ...tracks.map((t) => ({ value: t.id, label: t.label }))];
}

function isCaptionTrack(t: TextTrack): boolean {
  return t.kind === 'subtitles' || t.kind === 'captions';
}

const SEEK_STEP = 5;

/** Fatal network errors retried before the error panel shows. */
const MAX_NETWORK_RETRIES = 2;

/** Fatal media errors hls.js may recover from (recoverMediaError) before the error panel shows. */
const MAX_MEDIA_RECOVERIES = 2;

/** Below this width (34rem) the player is compact: one settings menu, icons only. */
const COMPACT_WIDTH = 544;

/**
 * hls.js error details of a master or media playlist that did not load:
 * only loadSource fetches those again.
 */
const PLAYLIST_ERRORS: ReadonlySet<string> = new Set([
  'manifestLoadError',
  'manifestLoadTimeOut',
  'manifestParsingError',
  'levelLoadError',
  'levelLoadTimeOut',
  'levelEmptyError',
]);

/**
 * The master playlist is small: give up on a silent server after 3 s and
 * retry a failed request once, so with MAX_NETWORK_RETRIES the error panel
 * shows within about 10 s instead of hls.js's default of a minute.
 */
const MANIFEST_LOAD_POLICY = {
  default: {
    maxTimeToFirstByteMs: 3_000,
    maxLoadTimeMs: 8_000,
    timeoutRetry: { maxNumRetry: 0, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: { maxNumRetry: 1, retryDelayMs: 500, maxRetryDelayMs: 1_000 },
  },
};

/**
 * Segments: hls.js's defaults retry a failing server for over a minute
 * (six tries, backoff to 8 s). Two quick tries here, times the player's
 * own MAX_NETWORK_RETRIES, put a dead segment in front of the viewer
 * within about 10 s; a slow segment still has the default two minutes.
 */
const FRAGMENT_LOAD_POLICY = {
  default: {
    maxTimeToFirstByteMs: 5_000,
    maxLoadTimeMs: 120_000,
    timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 1_000 },
  },
};
const STORYBOARD_DELAY_MS = 1_500;

/**
 * The largest hole before the first buffered frame the player skips itself.
 * Segments cut from an encode with B-frames or AAC priming start a few
 * hundredths of a second after 0, so the video sits at 0 with data it will
 * not play (readyState 1). hls.js jumps such a start gap only after it has
 * seen the playback stall on two of its polls, and then seeks 0.1 s into
 * the frame: on a first visit that was the last wait before the first frame.
 */
const MAX_START_GAP = 0.5;

/** HTMLMediaElement.HAVE_FUTURE_DATA: enough data to start playing. */
const HAVE_FUTURE_DATA = 3;

/**
 * Where to seek so playback can start, when the video was asked to play but
 * waits before a small hole at the start of its buffer; null when it need
 * not (or should not) move. A paused video stays put: seeking would put
 * its first frame in place of the poster.
 */
export function startGapTarget(v: Pick<HTMLMediaElement, 'currentTime' | 'readyState' | 'paused' | 'seeking' | 'buffered'>): number | null {
  if (v.paused || v.seeking || v.readyState >= HAVE_FUTURE_DATA || v.buffered.length === 0) return null;
  const start = v.buffered.start(0);
  const gap = start - v.currentTime;
  if (gap <= 0 || gap > MAX_START_GAP) return null;
  // A millisecond inside the first frame, clear of rounding at its edge.
  return Math.min(start + 0.001, v.buffered.end(0));
}

function mediaErrorMessage(error: MediaError | null): string {
  switch (error?.code) {
    case 2: // MEDIA_ERR_NETWORK
      return 'The video stopped loading. Check your connection and try again.';
    case 3: // MEDIA_ERR_DECODE
      return 'The video could not be decoded.';
    case 4: // MEDIA_ERR_SRC_NOT_SUPPORTED
      return 'This browser cannot play this video.';
    default:
      return 'The video could not be played.';
  }
}

/** Plays one HLS stream with clipcut's controls. */
export function Player({ src, poster, storyboardUrl, chaptersUrl, title, startedAt, aspectRatio, onRetry, link, autoPlay = true }: PlayerProps) {
  const root = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const hls = useRef<Hls | null>(null);
  const firstFrame = useRef(false);

  const [engine, setEngine] = useState<Engine | null>(null);
  const [reload, setReload] = useState(0);
  const [paused, setPaused] = useState(true);
  const [started, setStarted] = useState(false);
  const [waiting, setWaiting] = useState(true);
  const [ended, setEnded] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [bufferedEnd, setBufferedEnd] = useState(0);
  const [muted, setMuted] = useState(false);
  const [volume, setVolume] = useState(1);
  const [mutedByAutoplay, setMutedByAutoplay] = useState(false);
  const [levels, setLevels] = useState<LevelLike[]>([]);
  const [chosenLevel, setChosenLevel] = useState(-1);
  const [playingLevel, setPlayingLevel] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [fullscreen, setFullscreen] = useState(false);
  const [firstFrameMs, setFirstFrameMs] = useState<number | null>(null);
  const [captionTracks, setCaptionTracks] = useState<CaptionTrack[]>([]);
  const [caption, setCaption] = useState(-1);
  const [cues, setCues] = useState<StoryboardCue[]>([]);
  const [wantStoryboard, setWantStoryboard] = useState(false);
  const [rate, setRate] = useState(1);
  const [pip, setPip] = useState(false);
  const [compact, setCompact] = useState(false);
  const [chapters, setChapters] = useState<Chapter[]>([]);

  const autoplay = useCallback(async () => {
    const v = video.current;
    if (!v) return;
    if (!autoPlay) {
      setWaiting(false);
      return;
    }
    try {
      await v.play();
    } catch (err) {
      if ((err as DOMException)?.name !== 'NotAllowedError') return;
      // Browsers allow muted autoplay; say so and offer the sound back.
      v.muted = true;
      setMutedByAutoplay(true);
      try {
        await v.play();
      } catch {
        // Still blocked: the play button waits for the viewer.
        setWaiting(false);
      }
    }
  }, [autoPlay]);

  // Attach the stream: hls.js where Media Source Extensions exist, else the
  // browser's own HLS.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    let cancelled = false;
    let instance: Hls | null = null;
    setError(null);
    setWaiting(true);
    setLevels([]);
    setPlayingLevel(-1);
    setChosenLevel(-1);
    setCaptionTracks([]);
    setCaption(-1);

    const playNatively = () => {
      if (!canPlayNativeHLS(v)) {
        setEngine('none');
        setError('This browser cannot play HLS video.');
        setWaiting(false);
        return;
      }
      setEngine('native');
      v.src = src;
      void autoplay();
    };

    if (!canUseMediaSource()) {
      playNatively();
    } else {
      loadHls().then(
        (HlsClass) => {
          if (cancelled) return;
          if (!HlsClass.isSupported()) {
            playNatively();
            return;
          }
          setEngine('hls.js');
          // Fatal network errors are retried a bounded number of times, then
          // shown with a Retry button. A playlist that failed to load is only
          // fetched again by loadSource (startLoad resumes segments only).
          let retries = 0;
          let recoveries = 0;
          instance = new HlsClass({
            enableWorker: true,
            backBufferLength: 30,
            manifestLoadPolicy: MANIFEST_LOAD_POLICY,
            playlistLoadPolicy: MANIFEST_LOAD_POLICY,
            fragLoadPolicy: FRAGMENT_LOAD_POLICY,
          });
          hls.current = instance;
          instance.on(HlsClass.Events.MANIFEST_PARSED, (_e, data) => {
            setLevels(data.levels.map((l) => ({ width: l.width, height: l.height, bitrate: l.bitrate, frameRate: l.frameRate })));
            setCaptionTracks((data.subtitleTracks ?? []).map((t, i) => ({ id: i, label: t.name || t.lang || `Track ${i + 1}`, language: t.lang })));
            void autoplay();
          });
          instance.on(HlsClass.Events.SUBTITLE_TRACKS_UPDATED, (_e, data) => {
            setCaptionTracks(data.subtitleTracks.map((t, i) => ({ id: i, label: t.name || t.lang || `Track ${i + 1}`, language: t.lang })));
          });
          instance.on(HlsClass.Events.SUBTITLE_TRACK_SWITCH, (_e, data) => setCaption(data.id));
          instance.on(HlsClass.Events.LEVEL_SWITCHED, (_e, data) => setPlayingLevel(data.level));
          instance.on(HlsClass.Events.FRAG_LOADED, () => {
            retries = 0;
          });
          instance.on(HlsClass.Events.BUFFER_APPENDED, () => {
            if (firstFrame.current) return;
            const to = startGapTarget(v);
            if (to !== null) v.currentTime = to;
          });
          instance.on(HlsClass.Events.ERROR, (_e, data) => {
            if (!data.fatal || !instance) return;
            if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR && retries < MAX_NETWORK_RETRIES) {
              retries++;
              if (PLAYLIST_ERRORS.has(data.details)) instance.loadSource(src);
              else instance.startLoad();
            } else if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && recoveries < MAX_MEDIA_RECOVERIES) {
              // hls.js's documented recovery: re-attach the media; a stream
              // that keeps failing to decode is an error, not a loop.
              recoveries++;
              instance.recoverMediaError();
            } else {
              setError(
                data.type === HlsClass.ErrorTypes.NETWORK_ERROR
                  ? 'The video stopped loading. Check your connection and try again.'
                  : 'The video could not be played.',
              );
              setWaiting(false);
              instance.destroy();
              hls.current = null;
            }
          });
          instance.attachMedia(v);
          instance.loadSource(src);
        },
        () => {
          if (cancelled) return;
          // The player chunk did not arrive; the browser may still manage alone.
          if (canPlayNativeHLS(v)) playNatively();
          else {
            setError("Can't load the player. Check your connection and try again.");
            setWaiting(false);
          }
        },
      );
    }

    return () => {
      cancelled = true;
      instance?.destroy();
      hls.current = null;
      v.removeAttribute('src');
      v.load();
    };
  }, [src, reload, autoplay]);

  // With the browser's own HLS, subtitle tracks of the master playlist
  // show up as the video's text tracks.
  useEffect(() => {
    const v = video.current;
    if (!v || engine !== 'native') return;
    const list = v.textTracks as TextTrackList | undefined;
    if (typeof list?.addEventListener !== 'function') return;
    const sync = () => {
      const all = Array.from(list);
      setCaptionTracks(
        all.flatMap((t, i) => (isCaptionTrack(t) ? [{ id: i, label: t.label || t.language || `Track ${i + 1}`, language: t.language }] : [])),
      );
      setCaption(all.findIndex((t) => isCaptionTrack(t) && t.mode === 'showing'));
    };
    sync();
    list.addEventListener('addtrack', sync);
    list.addEventListener('removetrack', sync);
    list.addEventListener('change', sync);
    return () => {
      list.removeEventListener('addtrack', sync);
      list.removeEventListener('removetrack', sync);
      list.removeEventListener('change', sync);
    };
  }, [engine]);

  // Storyboard: fetched once the first frame is out (or the pointer asks
  // for it), so it never competes with the video's start.
  useEffect(() => {
    if (firstFrameMs === null || !storyboardUrl) return;
    const t = setTimeout(() => setWantStoryboard(true), STORYBOARD_DELAY_MS);
    return () => clearTimeout(t);
  }, [firstFrameMs, storyboardUrl]);
  useEffect(() => {
    if (!wantStoryboard || !storyboardUrl) return;
    const ctl = new AbortController();
    fetch(storyboardUrl, { signal: ctl.signal, credentials: 'same-origin' })
      .then((res) => (res.ok ? res.text() : ''))
      .then((text) => setCues(parseStoryboard(text, new URL(storyboardUrl, window.location.href).href)))
      .catch(() => {
        // No previews; seeking works without them.
      });
    return () => ctl.abort();
  }, [wantStoryboard, storyboardUrl]);

  // Chapters: fetched once the video's length is known (the marks need it),
  // so they never compete with the first frame.
  const knowDuration = Number.isFinite(duration) && duration > 0;
  useEffect(() => {
    setChapters([]);
    if (!chaptersUrl || !knowDuration) return;
    const ctl = new AbortController();
    fetch(chaptersUrl, { signal: ctl.signal, credentials: 'same-origin' })
      .then((res) => (res.ok ? res.text() : ''))
      .then((text) => setChapters(parseChapters(text)))
      .catch(() => {
        // No chapters; the video plays without them.
      });
    return () => ctl.abort();
  }, [chaptersUrl, knowDuration]);

  // Compact controls follow the player's own width (the page may be wide
  // and the player narrow, as in an embed).
  useLayoutEffect(() => {
    const el = root.current;
    if (!el) return;
    const measure = (width: number) => {
      if (width > 0) setCompact(width < COMPACT_WIDTH); // 0: not laid out (yet)
    };
    measure(el.getBoundingClientRect().width);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => measure(entries[0]?.contentRect.width ?? 0));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const enter = () => setPip(true);
    const leave = () => setPip(false);
    v.addEventListener('enterpictureinpicture', enter);
    v.addEventListener('leavepictureinpicture', leave);
    return () => {
      v.removeEventListener('enterpictureinpicture', enter);
      v.removeEventListener('leavepictureinpicture', leave);
    };
  }, []);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === root.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const togglePlay = useCallback(() => {
    const v = video.current;
    if (!v) return;
    if (v.paused || v.ended) void v.play().catch(() => {});
    else v.pause();
  }, []);

  const toggleMute = useCallback(() => {
    const v = video.current;
    if (!v) return;
    v.muted = !v.muted;
    if (!v.muted && v.volume === 0) v.volume = 0.5;
    setMutedByAutoplay(false);
  }, []);

  const seekTo = useCallback((t: number) => {
    const v = video.current;
    if (!v || !Number.isFinite(v.duration)) return;
    v.currentTime = Math.min(Math.max(0, t), v.duration);
    setTime(v.currentTime);
  }, []);

  // The page's transcript follows the position and captions, and seeks.
  useEffect(() => {
    if (!link) return;
    return link.attach((t, play) => {
      seekTo(t);
      const v = video.current;
      if (!v) return;
      link.update({ time: v.currentTime });
      if (play && v.paused) void v.play().catch(() => {});
    });
  }, [link, seekTo]);
  const captionLanguage = caption >= 0 ? (captionTracks.find((t) => t.id === caption)?.language ?? null) : null;
  useEffect(() => link?.update({ captionLanguage }), [link, captionLanguage]);

  const toggleFullscreen = useCallback(() => {
    const el = root.current;
    const v = video.current as (HTMLVideoElement & { webkitEnterFullscreen?: () => void }) | null;
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
    else if (el?.requestFullscreen) void el.requestFullscreen().catch(() => {});
    else v?.webkitEnterFullscreen?.(); // iPhone: only the video element can go full screen
  }, []);

  const chooseRate = useCallback((r: number) => {
    const v = video.current;
    if (!v) return;
    v.playbackRate = r;
    setRate(r);
  }, []);

  const togglePip = useCallback(() => {
    const v = video.current;
    if (!v) return;
    if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => {});
    else void v.requestPictureInPicture?.().catch(() => {});
  }, []);

  const chooseLevel = useCallback((level: number) => {
    const h = hls.current;
    if (!h) return;
    // currentLevel switches at once (flushing the buffer); -1 is Auto.
    h.currentLevel = level;
    setChosenLevel(level);
  }, []);

  const chooseCaption = useCallback(
    (id: number) => {
      const h = hls.current;
      if (h) {
        h.subtitleTrack = id;
        h.subtitleDisplay = id >= 0;
      } else if (video.current) {
        Array.from(video.current.textTracks).forEach((t, i) => {
          if (isCaptionTrack(t)) t.mode = i === id ? 'showing' : 'disabled';
        });
      }
      setCaption(id);
    },
    [],
  );

  const toggleCaptions = useCallback(() => {
    if (captionTracks.length === 0) return;
    chooseCaption(caption >= 0 ? -1 : captionTracks[0]!.id);
  }, [caption, captionTracks, chooseCaption]);

  // Keyboard shortcuts, anywhere on the page except where keys type or pick.
  const stepRate = useCallback(
    (by: number) => {
      const v = video.current;
      if (!v) return;
      const i = SPEEDS.findIndex((r) => r >= v.playbackRate);
      const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? SPEEDS.length - 1 : i) + by))]!;
      chooseRate(next);
    },
    [chooseRate],
  );

  const actions = useRef({ togglePlay, toggleMute, toggleFullscreen, toggleCaptions, seekTo, stepRate });
  actions.current = { togglePlay, toggleMute, toggleFullscreen, toggleCaptions, seekTo, stepRate };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="menu"]')) return;
      const v = video.current;
      if (!v) return;
      const a = actions.current;
      switch (e.key) {
        case ' ':
          if (target?.closest('button, a, summary')) return; // Space presses the focused control
          a.togglePlay();
          break;
        case 'k':
        case 'K':
          a.togglePlay();
          break;
        case 'f':
        case 'F':
          a.toggleFullscreen();
          break;
        case 'm':
        case 'M':
          a.toggleMute();
          break;
        case 'c':
        case 'C':
          a.toggleCaptions();
          break;
        case '>':
          a.stepRate(1);
          break;
        case '<':
          a.stepRate(-1);
          break;
        case 'ArrowLeft':
          a.seekTo(v.currentTime - SEEK_STEP);
          break;
        case 'ArrowRight':
          a.seekTo(v.currentTime + SEEK_STEP);
          break;
        case 'j':
        case 'J':
          a.seekTo(v.currentTime - 10);
          break;
        case 'l':
        case 'L':
          a.seekTo(v.currentTime + 10);
          break;
        default:
          if (/^[0-9]$/.test(e.key) && Number.isFinite(v.duration)) {
            a.seekTo((Number(e.key) / 10) * v.duration);
            break;
          }
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  function onPlaying() {
    setPaused(false);
    setWaiting(false);
    setStarted(true);
    setEnded(false);
    if (firstFrame.current) return;
    firstFrame.current = true;
    const now = performance.now();
    try {
      performance.mark(FIRST_FRAME_MARK);
      performance.measure(FIRST_FRAME_MEASURE, { start: startedAt, end: now });
    } catch {
      // Older browsers without measure options: the data attribute still tells.
    }
    setFirstFrameMs(Math.round(now - startedAt));
  }

  function onProgress() {
    const v = video.current;
    if (!v) return;
    const b = v.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) <= v.currentTime + 0.5 && b.end(i) >= v.currentTime) {
        setBufferedEnd(b.end(i));
        return;
      }
    }
  }

  const options = qualityOptions(levels);
  const playingHeight = levels[playingLevel]?.height;
  const quality = engine === 'hls.js' && levels.length > 0;
  const qualityNow = qualityLabel(levels, chosenLevel, playingLevel);
  const captionLabel = captionTracks.find((t) => t.id === caption)?.label ?? 'Off';
  const chapter = chapterAt(chapters, time);
  const chapterIndex = chapter ? chapters.indexOf(chapter) : -1;
  const settings: SettingsSection[] = [
    ...(quality ? [{ name: 'Quality', options, chosen: chosenLevel, label: qualityNow, onChoose: chooseLevel }] : []),
    ...(captionTracks.length > 0
      ? [{ name: 'Captions', options: captionChoices(captionTracks), chosen: caption, label: captionLabel, onChoose: chooseCaption }]
      : []),
    { name: 'Speed', options: SPEED_CHOICES, chosen: rate, label: rate === 1 ? 'Normal' : speedLabel(rate), onChoose: chooseRate },
  ];
  const state = error ? 'error' : ended ? 'ended' : waiting ? 'loading' : paused ? 'paused' : 'playing';

  return (
    <div
      ref={root}
      className={`player${fullscreen ? ' player--fullscreen' : ''}${compact ? ' player--compact' : ''}`}
      data-state={state}
      data-engine={engine ?? undefined}
      data-levels={levels.length}
      data-level={playingLevel}
      data-level-height={playingHeight ?? undefined}
      data-chosen-level={chosenLevel}
      data-first-frame-ms={firstFrameMs ?? undefined}
      data-storyboard-cues={cues.length}
      data-caption={caption}
      data-chapters={chapters.length}
    >
      <div className="player__stage" style={aspectRatio ? { aspectRatio: String(aspectRatio) } : undefined}>
        <video
          ref={video}
          className="player__video"
          poster={poster ?? undefined}
          playsInline
          preload="auto"
          aria-label={title}
          onClick={togglePlay}
          onDoubleClick={toggleFullscreen}
          onPlay={() => {
            setPaused(false);
            setEnded(false);
          }}
          onPause={() => setPaused(true)}
          onPlaying={onPlaying}
          onWaiting={() => setWaiting(true)}
          onCanPlay={() => setWaiting(false)}
          onSeeked={(e) => {
            setWaiting(false);
            link?.update({ time: e.currentTarget.currentTime });
          }}
          onEnded={() => {
            setEnded(true);
            setPaused(true);
          }}
          onTimeUpdate={(e) => {
            setTime(e.currentTarget.currentTime);
            link?.update({ time: e.currentTarget.currentTime });
            onProgress();
          }}
          onProgress={onProgress}
          onDurationChange={(e) => setDuration(e.currentTarget.duration)}
          onLoadedMetadata={(e) => setDuration(e.currentTarget.duration)}
          onRateChange={(e) => setRate(e.currentTarget.playbackRate)}
          onVolumeChange={(e) => {
            setMuted(e.currentTarget.muted);
            setVolume(e.currentTarget.volume);
            if (!e.currentTarget.muted) setMutedByAutoplay(false);
          }}
          onError={(e) => {
            // hls.js reports (and recovers from) its own errors.
            if (engine !== 'hls.js') {
              setError(mediaErrorMessage(e.currentTarget.error));
              setWaiting(false);
            }
          }}
        />
        {waiting && !error && (
          <div className="player__spinner" role="status" aria-label="Loading video">
            <span />
          </div>
        )}
        {paused && !waiting && !error && (
          <button type="button" className="player__big-play" onClick={togglePlay} aria-label={ended ? 'Play again' : 'Play'} tabIndex={-1}>
            <Icon name={ended ? 'replay' : 'play'} />
          </button>
        )}
        {mutedByAutoplay && muted && !error && (
          <button type="button" className="player__unmute" onClick={toggleMute}>
            <Icon name="muted" /> Tap to unmute
          </button>
        )}
        {error && (
          <div className="player__error" role="alert">
            <p>{error}</p>
            <button
              type="button"
              className="button button--small"
              onClick={() => {
                // A new engine loads the source from the start (the master
                // playlist too); startLoad alone would fetch segments only.
                onRetry?.();
                setReload((n) => n + 1);
              }}
            >
              Retry
            </button>
          </div>
        )}
      </div>

      <div className="player__controls" role="group" aria-label="Video controls">
        <SeekBar
          currentTime={time}
          duration={duration}
          bufferedEnd={bufferedEnd}
          cues={cues}
          chapters={chapters}
          onSeek={seekTo}
          onFirstHover={() => setWantStoryboard(true)}
        />
        <div className="player__row">
          <ControlButton label={paused ? 'Play (k)' : 'Pause (k)'} onClick={togglePlay}>
            <Icon name={paused ? 'play' : 'pause'} />
          </ControlButton>
          <span className="player__volume-group">
            <ControlButton label={muted ? 'Unmute (m)' : 'Mute (m)'} onClick={toggleMute}>
              <Icon name={muted || volume === 0 ? 'muted' : 'volume'} />
            </ControlButton>
            <input
              className="player__volume"
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={muted ? 0 : volume}
              aria-label="Volume"
              aria-valuetext={`${Math.round((muted ? 0 : volume) * 100)}%`}
              onChange={(e) => {
                const v = video.current;
                if (!v) return;
                v.volume = Number(e.target.value);
                v.muted = v.volume === 0;
              }}
            />
          </span>
          <span className="player__time">
            <span aria-hidden="true">
              {formatClock(time)} / {formatClock(duration)}
            </span>
          </span>
          <span className="player__spacer" />
          {chapters.length > 0 && (
            <ChoiceMenu
              name="Chapters"
              options={chapters.map((c, i) => ({ value: i, label: `${formatClock(c.start)} ${c.title}` }))}
              chosen={chapterIndex}
              label={chapter?.title ?? 'None'}
              icon={<Icon name="chapters" />}
              iconOnlyWhenNarrow
              className="player__choice--chapter"
              onChoose={(i) => {
                const c = chapters[i];
                if (c) seekTo(c.start);
              }}
            />
          )}
          {compact ? (
            <SettingsMenu sections={settings} icon={<Icon name="settings" />} />
          ) : (
            <>
            {captionTracks.length > 0 && (
              <ChoiceMenu
                name="Captions"
                options={captionChoices(captionTracks)}
                chosen={caption}
                label={captionLabel}
                icon={<Icon name="captions" />}
                iconOnlyWhenNarrow
                on={caption >= 0}
                onChoose={chooseCaption}
              />
            )}
            {quality && (
              <ChoiceMenu
                name="Quality"
                options={options}
                chosen={chosenLevel}
                label={qualityNow}
                shortLabel={chosenLevel >= 0 ? undefined : 'Auto'}
                icon={<Icon name="settings" />}
                onChoose={chooseLevel}
              />
            )}
            <ChoiceMenu name="Speed" options={SPEED_CHOICES} chosen={rate} label={speedLabel(rate)} onChoose={chooseRate} />
            </>
          )}
          {pipSupported() && (
            <ControlButton label={pip ? 'Exit picture in picture' : 'Picture in picture'} onClick={togglePip} className="player__pip">
              <Icon name="pip" />
            </ControlButton>
          )}
          <ControlButton label={fullscreen ? 'Exit full screen (f)' : 'Full screen (f)'} onClick={toggleFullscreen}>
            <Icon name={fullscreen ? 'shrink' : 'expand'} />
          </ControlButton>
        </div>
      </div>
      {started ? null : <span className="visually-hidden" aria-live="polite">{waiting ? '' : 'Video ready to play'}</span>}
    </div>
  );
}

/** Playback speeds the speed menu offers. */
export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;
const SPEED_CHOICES: Choice[] = SPEEDS.map((r) => ({ value: r, label: r === 1 ? 'Normal' : speedLabel(r) }));

/** "1.5×". */
export function speedLabel(rate: number): string {
  return `${rate}×`;
}

/** Picture in picture exists here and the page may use it. */
function pipSupported(): boolean {
  return typeof document !== 'undefined' && document.pictureInPictureEnabled === true;
}

function ControlButton({ label, onClick, children, className }: { label: string; onClick(): void; children: ReactNode; className?: string }) {
  return (
    <button type="button" className={`player__button${className ? ` ${className}` : ''}`} aria-label={label} title={label} onClick={onClick}>
      {children}
    </button>
  );
}

const ICONS = {
  play: 'M8 5.5v13l11-6.5z',
  pause: 'M7 5h4v14H7zM13 5h4v14h-4z',
  replay: 'M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z',
  volume: 'M4 9v6h4l5 4V5L8 9H4zm12.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z',
  muted: 'M4 9v6h4l5 4V5L8 9H4zm12.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z',
  expand: 'M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z',
  chapters: 'M3 5h2v2H3zm4 0h14v2H7zM3 11h2v2H3zm4 0h14v2H7zm-4 6h2v2H3zm4 0h14v2H7z',
  pip: 'M19 7h-8v6h8V7zm2-4H3a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h18a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 16H3V5h18v14z',
  shrink: 'M8 4h2v6H4V8h4zm6 0h2v4h4v2h-6zM4 14h6v6H8v-4H4zm10 0h6v2h-4v4h-2z',
  captions:
    'M19 4H5a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm-8 7H9.5v-.5h-2v3h2V13H11v1a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1h3a1 1 0 0 1 1 1v1zm7 0h-1.5v-.5h-2v3h2V13H18v1a1 1 0 0 1-1 1h-3a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1h3a1 1 0 0 1 1 1v1z',
  settings:
    'M19.4 13a7.6 7.6 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.4 7.4 0 0 0-1.7-1L15 3.2h-4l-.4 2.7a7.4 7.4 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.6 7.6 0 0 0 0 2l-2.2 1.6 2 3.5 2.5-1c.5.4 1.1.8 1.7 1l.4 2.7h4l.4-2.7a7.4 7.4 0 0 0 1.7-1l2.5 1 2-3.5L19.4 13zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z',
} as const;

function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path fill="currentColor" d={ICONS[name]} />
    </svg>
  );
}
