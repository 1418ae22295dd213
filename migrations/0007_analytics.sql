-- Playback analytics: raw player events, per-session summaries, and the
-- per-video hourly and daily rollups the dashboards read. Raw events and
-- sessions are kept for CLIPCUT_ANALYTICS_RETENTION; rollups for good.

-- Raw events, as players reported them. Built for volume: no foreign keys,
-- no unique constraint (a duplicated batch is stored twice and ignored when
-- sessions are summarised, which reads DISTINCT ON (session_id, seq)),
-- a BRIN index on arrival time for pruning, and one btree for reading a
-- session back.
CREATE TABLE playback_events (
    -- Server time the batch arrived; clients' clocks are never trusted.
    received_at  timestamptz NOT NULL,
    session_id   uuid NOT NULL,
    -- Per-session sequence number chosen by the player; duplicates are
    -- the same event sent twice.
    seq          integer NOT NULL,
    -- 1 load, 2 play, 3 first_frame, 4 heartbeat, 5 seek,
    -- 6 rendition_switch, 7 stall_start, 8 stall_end, 9 error, 10 ended,
    -- 11 pause (analytics.Kind).
    kind         smallint NOT NULL,
    -- Milliseconds since the session started on the player's monotonic
    -- clock: relative, so clock skew does not matter.
    client_ms    integer NOT NULL,
    -- Playback position in milliseconds, clamped to the video's duration.
    position_ms  integer NOT NULL,
    -- Seconds of media buffered ahead, in milliseconds.
    buffer_ms    integer NOT NULL DEFAULT 0,
    rendition    text,
    -- For seek: the position before the seek.
    from_ms      integer,
    error        text
);
CREATE INDEX playback_events_received_idx ON playback_events USING brin (received_at);
CREATE INDEX playback_events_session_idx ON playback_events (session_id, seq);

-- One row per playback session, upserted with every flush of events and
-- summarised by the rollup job. version grows with every flush that adds
-- events; rolled_version is the version the summary was computed at, so
-- the job finds unsummarised sessions without locking out ingest.
CREATE TABLE playback_sessions (
    session_id      uuid PRIMARY KEY,
    video_id        uuid NOT NULL,
    -- Anonymous, random, chosen by the player and kept in its local
    -- storage; nothing else identifies a viewer.
    viewer_id       uuid NOT NULL,
    started_at      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    -- Last heartbeat-bearing flush, for "watching now".
    last_heartbeat  timestamptz,
    version         bigint NOT NULL DEFAULT 1,
    rolled_version  bigint NOT NULL DEFAULT 0,
    -- The hour this session was last counted in (started_at's hour when it
    -- was summarised), so a moved start recomputes both hours.
    rolled_hour     timestamptz,
    -- The summary (analytics.Session), valid when rolled_version > 0.
    attempted       boolean NOT NULL DEFAULT false,
    started         boolean NOT NULL DEFAULT false,
    is_view         boolean NOT NULL DEFAULT false,
    exited_before_start boolean NOT NULL DEFAULT false,
    failed          boolean NOT NULL DEFAULT false,
    watch_ms        bigint NOT NULL DEFAULT 0,
    rebuffer_ms     bigint NOT NULL DEFAULT 0,
    startup_ms      integer,
    rendition_ms    jsonb NOT NULL DEFAULT '{}',
    -- Watched second ranges of the video as [start, end) pairs, flattened.
    watched         integer[] NOT NULL DEFAULT '{}'
);
CREATE INDEX playback_sessions_video_idx ON playback_sessions (video_id, started_at);
CREATE INDEX playback_sessions_unrolled_idx ON playback_sessions (last_seen)
    WHERE version <> rolled_version;
CREATE INDEX playback_sessions_live_idx ON playback_sessions (video_id, last_heartbeat)
    WHERE last_heartbeat IS NOT NULL;
CREATE INDEX playback_sessions_seen_idx ON playback_sessions USING brin (last_seen);

-- Rollups: one row per video per hour (UTC) and per day (UTC). Every column
-- is recomputed from the sessions that started in the period, so a rollup
-- run any number of times gives the same row.
CREATE TABLE analytics_hourly (
    video_id            uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    hour                timestamptz NOT NULL,
    sessions            integer NOT NULL,
    -- Sessions in which the viewer asked to play.
    attempts            integer NOT NULL,
    -- Sessions that reached the first frame.
    started             integer NOT NULL,
    views               integer NOT NULL,
    unique_viewers      integer NOT NULL,
    watch_ms            bigint NOT NULL,
    view_watch_ms       bigint NOT NULL,
    rebuffer_ms         bigint NOT NULL,
    startup_count       integer NOT NULL,
    startup_ms_sum      bigint NOT NULL,
    -- Sorted startup times (at most 1000, evenly thinned) for percentiles.
    startup_ms          integer[] NOT NULL,
    exits_before_start  integer NOT NULL,
    failures            integer NOT NULL,
    rendition_ms        jsonb NOT NULL,
    -- Sessions that watched each retention bucket of the video.
    retention           integer[] NOT NULL,
    PRIMARY KEY (video_id, hour)
);

CREATE TABLE analytics_daily (LIKE analytics_hourly INCLUDING DEFAULTS);
ALTER TABLE analytics_daily RENAME COLUMN hour TO day;
ALTER TABLE analytics_daily ADD PRIMARY KEY (video_id, day),
    ADD FOREIGN KEY (video_id) REFERENCES videos (id) ON DELETE CASCADE;

-- The distinct viewers of each video-hour and video-day, so unique viewers
-- over any range are exact (a union, not a sum of per-period counts). A
-- range read by day reads the daily set, which holds a viewer who came back
-- several times in a day once. The primary keys serve the dashboards'
-- reads as index-only scans.
CREATE TABLE analytics_hourly_viewers (
    video_id   uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    hour       timestamptz NOT NULL,
    viewer_id  uuid NOT NULL,
    PRIMARY KEY (video_id, hour, viewer_id)
);
CREATE TABLE analytics_daily_viewers (
    video_id   uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    day        timestamptz NOT NULL,
    viewer_id  uuid NOT NULL,
    PRIMARY KEY (video_id, day, viewer_id)
);

-- Views of all time (see "Analytics" in the README for what a view is).
ALTER TABLE videos ADD COLUMN view_count bigint NOT NULL DEFAULT 0;
