// Package webhook signs and delivers webhooks the Standard Webhooks way
// (https://www.standardwebhooks.com) and decides what happens after each
// attempt.
//
// It provides four independent pieces; none touches the database, and the
// retry policy never reads the clock (times are passed in):
//
//   - secrets and signatures: [NewSecret], [Sign], [SignatureHeader] (a
//     receiver verifies them with the public SDK's client.Verify);
//   - the retry policy: [Classify], [ParseRetryAfter], [NextAttempt] over
//     [Schedule] and [Window];
//   - the egress guard: [ValidateURL] for URLs users submit, [Blocked] for
//     addresses, both enforced again at dial time by [Client];
//   - the delivery [Client], whose [Client.Send] makes one attempt and
//     returns a [Result] that can be stored as is.
//
// The package uses only the standard library.
package webhook
