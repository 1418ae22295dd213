-- An administrator's answer to a takedown appeal that keeps the video
-- down (answerTakedownAppeal): the owner reads it, and when it was
-- written, on the video. Granting an appeal is restoring the video, which
-- deletes the appeal row as before. One answer per appeal; the answer is
-- also in audit_log (video.appeal_answered), which keeps it after the row
-- goes. answered_by is kept for the record but never shown to the owner.
ALTER TABLE takedown_appeals
    ADD COLUMN answer      text,
    ADD COLUMN answered_at timestamptz,
    ADD COLUMN answered_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD CONSTRAINT takedown_appeals_answer_complete CHECK ((answer IS NULL) = (answered_at IS NULL));
