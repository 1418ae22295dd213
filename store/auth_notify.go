package store

import "github.com/google/uuid"

// TopicCredentials carries the id of each session or API token that was
// revoked, or deleted while still valid, announced by the
// credentials_notify_revoked trigger at commit, whichever process (or
// cascade, or sweep) ended it.
const TopicCredentials Topic = "clipcut_auth"

// SubscribeCredentialRevocations calls revoked with the id of each
// session or API token that stopped being valid, until unsubscribe is
// called: whoever holds connections authenticated with it closes them.
// When listening reports missed, revocations may have been lost, so
// every open connection's credential is checked again. Both run on the
// notifier's goroutine and must not block.
func (n *Notifier) SubscribeCredentialRevocations(listening func(missed bool), revoked func(credentialID uuid.UUID)) (unsubscribe func()) {
	return n.subscribeIDs(TopicCredentials, listening, revoked)
}
