package store

import "github.com/google/uuid"

// TopicPrivacy carries the id of each video whose privacy changed or which
// was deleted, announced by the videos_notify_privacy trigger at commit,
// whichever process made the change.
const TopicPrivacy Topic = "clipcut_privacy"

// SubscribePrivacyChanges calls changed with the id of each video whose
// privacy changed or which was deleted, until unsubscribe is called. A
// cache of privacy settings drops that video's entry; when listening
// reports missed, changes may have been lost, so it drops every entry.
// Both run on the notifier's goroutine and must not block.
func (n *Notifier) SubscribePrivacyChanges(listening func(missed bool), changed func(videoID uuid.UUID)) (unsubscribe func()) {
	return n.subscribeIDs(TopicPrivacy, listening, changed)
}
