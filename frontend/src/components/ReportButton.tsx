// "Report" on the watch page: a viewer tells the administrators about a
// video, with a reason from a short list and an optional note. The owner
// never learns who reported. A video opened through its public id (an
// UNLISTED one, whose plain id strangers cannot use) is reported by that id.

import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import type { ReportReason } from '../gql/graphql';
import { formErrors } from '../graphql/errors';
import { Alert } from './Alert';

const ReportVideoDocument = graphql(`
  mutation ReportVideo($videoId: ID, $publicId: String, $reason: ReportReason!, $note: String) {
    reportVideo(videoId: $videoId, publicId: $publicId, reason: $reason, note: $note)
  }
`);

/** The reasons, as people read them, in the order the form offers them. */
export const REPORT_REASONS: Record<ReportReason, string> = {
  SPAM: 'Spam or scam',
  HARASSMENT: 'Harassment or bullying',
  HATE: 'Hateful content',
  VIOLENCE: 'Violent or graphic content',
  SEXUAL_CONTENT: 'Sexual content',
  COPYRIGHT: 'Copyright infringement',
  PRIVACY: "Exposes someone's private information",
  OTHER: 'Something else',
};

/**
 * A "Report" button that opens a short form; for signed-in viewers. With a
 * publicId (the viewer sees one only when it is how they reach the video)
 * the report names the video by it.
 */
export function ReportButton({ videoId, publicId }: { videoId: string; publicId?: string | null }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<ReportReason | ''>('');
  const [note, setNote] = useState('');
  const [{ fetching, error }, report] = useMutation(ReportVideoDocument);
  const [sent, setSent] = useState(false);
  const errors = formErrors(error, ['reason', 'note']);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!reason || fetching) return;
    const target = publicId ? { publicId } : { videoId };
    const r = await report({ ...target, reason, note: note.trim() || null });
    if (!r.error) setSent(true);
  }

  if (sent) {
    return (
      <p className="notice small" role="status">
        Thanks for the report: the administrators will look at it.
      </p>
    );
  }
  if (!open) {
    return (
      <p className="small">
        <button type="button" className="button button--small button--quiet" onClick={() => setOpen(true)}>
          Report
        </button>
      </p>
    );
  }
  return (
    <form className="form card stack" aria-labelledby={`${id}-title`} onSubmit={onSubmit}>
      <h2 id={`${id}-title`} className="section-title">
        Report this video
      </h2>
      <Alert>{errors.message}</Alert>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <select id={`${id}-reason`} required value={reason} onChange={(e) => setReason(e.target.value as ReportReason)}
          aria-invalid={errors.fields.reason ? true : undefined}>
          <option value="">Choose a reason</option>
          {Object.entries(REPORT_REASONS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-note`}>Note (optional)</label>
        <textarea id={`${id}-note`} maxLength={2000} rows={3} value={note} onChange={(e) => setNote(e.target.value)}
          aria-invalid={errors.fields.note ? true : undefined} />
        {errors.fields.note && <p className="field__error">{errors.fields.note}</p>}
      </div>
      <div className="admin-actions">
        <button type="submit" className="button button--primary" aria-disabled={fetching || !reason || undefined}>
          Send report
        </button>
        <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
