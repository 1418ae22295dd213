// The owner's "New link" button for an UNLISTED video: gives the video a
// fresh public id (rotatePublicId), after a confirmation, so that every link
// shared so far stops working.
import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { formErrors } from '../graphql/errors';

export const RotatePublicIdDocument = graphql(`
  mutation RotatePublicId($videoId: ID!) {
    rotatePublicId(videoId: $videoId) {
      id
      publicId
    }
  }
`);

/** "New link", then a confirmation; `onRotated` gets the new public id. */
export function NewLinkButton({ videoId, onRotated }: { videoId: string; onRotated?: (publicId: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(false);
  const [state, rotate] = useMutation(RotatePublicIdDocument);

  async function confirm() {
    if (state.fetching) return;
    const res = await rotate({ videoId });
    const pid = res.data?.rotatePublicId.publicId;
    if (pid) {
      setConfirming(false);
      setDone(true);
      onRotated?.(pid);
    }
  }

  return (
    <div className="stack new-link">
      {confirming ? (
        <div role="group" aria-label="Confirm new link" className="stack">
          <p className="small">
            Everyone who has the current link, or an embed made with it, loses access at once. Make a new link?
          </p>
          <div className="row">
            <button type="button" className="button button--small button--danger" aria-disabled={state.fetching || undefined} onClick={confirm}>
              {state.fetching ? 'Making a new link…' : 'Make a new link'}
            </button>{' '}
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div>
          <button
            type="button"
            className="button button--small"
            onClick={() => {
              setDone(false);
              setConfirming(true);
            }}
          >
            New link
          </button>
        </div>
      )}
      {done && (
        <p className="small muted" role="status">
          New link made: the old one no longer works.
        </p>
      )}
      {state.error && (
        <p role="alert" className="alert">
          {formErrors(state.error).message}
        </p>
      )}
    </div>
  );
}
