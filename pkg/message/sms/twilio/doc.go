// Package twilio sends texts through Twilio's Programmable Messaging REST
// API and checks the callbacks Twilio makes to Backdesk, using only the
// standard library.
//
// A Client sends: one POST per text to the account's Messages resource,
// authenticated with the account SID and auth token. The auth token is
// named by a reference (env:NAME or file:PATH) and read when needed, so a
// rotated token is picked up without a restart; it never appears in a log
// line or an error.
//
// Callbacks, delivery statuses and patients' replies alike, arrive as
// form-encoded POSTs signed with the X-Twilio-Signature header. Verify
// checks the signature against the public URL Twilio called and returns
// the parameters; ParseStatus and ParseInbound read them. Only form
// callbacks are accepted: Twilio's JSON-bodied variant (signed over a
// bodySHA256 query parameter) is not used by messaging callbacks and is
// refused.
package twilio
