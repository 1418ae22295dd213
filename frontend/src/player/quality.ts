// The quality menu, built from the levels hls.js found in the master
// playlist: "Auto" first (hls.js picks by bandwidth, and the menu says
// which level it is playing), then each level, highest first.

/** The part of an hls.js Level the menu reads. */
export interface LevelLike {
  width: number;
  height: number;
  bitrate: number;
  frameRate?: number;
}

/** One entry of the quality menu: an hls.js level index, -1 for Auto. */
export interface QualityOption {
  value: number;
  label: string;
}

/** The short side in p, plus the frame rate when it is high: "720p", "1080p60". */
export function levelLabel(level: LevelLike): string {
  const side = level.width > 0 && level.height > 0 ? Math.min(level.width, level.height) : level.height || level.width;
  const fps = level.frameRate && level.frameRate > 49 ? String(Math.round(level.frameRate)) : '';
  return side > 0 ? `${side}p${fps}` : `${Math.round(level.bitrate / 1000)} kb/s`;
}

function formatBitrate(bps: number): string {
  return bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(1)} Mb/s` : `${Math.round(bps / 1000)} kb/s`;
}

/** Auto, then every level from the highest down; levels of the same size tell their bitrates apart. */
export function qualityOptions(levels: readonly LevelLike[]): QualityOption[] {
  const labels = levels.map(levelLabel);
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  const options = levels
    .map((level, index) => ({
      value: index,
      label: count.get(labels[index]!)! > 1 ? `${labels[index]} (${formatBitrate(level.bitrate)})` : labels[index]!,
      height: Math.min(level.width || level.height, level.height || level.width),
      bitrate: level.bitrate,
    }))
    .sort((a, b) => b.height - a.height || b.bitrate - a.bitrate)
    .map(({ value, label }) => ({ value, label }));
  return [{ value: -1, label: 'Auto' }, ...options];
}

/**
 * What the quality button says: the chosen level, or "Auto" with the level
 * Auto is playing now ("Auto (720p)").
 */
export function qualityLabel(levels: readonly LevelLike[], chosen: number, playing: number): string {
  const option = qualityOptions(levels);
  if (chosen >= 0) return option.find((o) => o.value === chosen)?.label ?? 'Auto';
  const now = option.find((o) => o.value === playing && o.value >= 0);
  return now ? `Auto (${now.label})` : 'Auto';
}
