-- An owner's appeal against a takedown (issue 24: "the owner sees the
-- reason and can appeal by replying"). One row per video at most: the
-- open appeal of its current takedown. Restoring the video or taking it
-- down again deletes the row, so the owner may appeal the new decision.
-- The appeal is also written to audit_log (video.appealed), which keeps
-- it after the row goes.
CREATE TABLE takedown_appeals (
    video_id   uuid PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    owner_id   uuid NOT NULL,
    message    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
