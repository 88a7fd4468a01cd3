// Package client is the Go SDK of the DocParse extraction API as served by
// docparse (and by DocParse itself: only the base URL and the key differ).
//
// It has four parts:
//
//   - A typed method for every route of the API ([Client]), with the wire
//     types, list iterators that follow next_cursor, and API errors as
//     [*Error].
//   - [Client.WaitForBatch] and [Client.WaitForClassificationBatch],
//     which poll a batch until it ends. Every wait on one Client shares
//     one poller per extraction (or classification), so many concurrent
//     waits cost about one request per interval, not one each.
//   - Webhook verification: [Verify] and [WebhookHandler] implement the
//     Standard Webhooks receiving side.
//   - [Client.EventsAfter], the events feed from a stored cursor: the
//     nightly safety net behind webhooks.
//
// The package uses the standard library only. A Client is safe for
// concurrent use by multiple goroutines.
package client
