// Package email sends one e-mail to one patient through an SMTP relay
// that Backdesk submits to as an authenticated client. It composes the
// message (plain text, optionally with an HTML alternative), speaks SMTP
// to the relay, and says whether a failure is worth retrying. Whether a
// patient may be written to at all (consent, opt-out, quiet hours) is
// decided before a Mail reaches this package.
//
// # What the relay does
//
// The relay owns the sending domain's reputation: DKIM signing, SPF and
// DMARC alignment, bounce handling and the queue towards recipients'
// servers are its job. This package signs nothing and never talks to a
// recipient's server itself.
//
// # Headers
//
// Every message carries From (with the configured display name),
// optional Reply-To, To, Subject, Date, MIME-Version and a Message-ID
// built from the caller's idempotency key as <key@from-domain>, so a
// retried send produces the same Message-ID and mailbox providers that
// collapse duplicates treat it as one message. When the Mail has an
// unsubscribe URL, the message carries List-Unsubscribe (RFC 2369) with
// that https URL and List-Unsubscribe-Post: List-Unsubscribe=One-Click
// (RFC 8058), which mailbox providers require before they offer their own
// unsubscribe button.
//
// Messages also carry X-Auto-Response-Suppress: OOF, AutoReply, which asks
// Exchange and Outlook not to answer them with out-of-office or other
// automatic replies; people's own replies are unaffected and go to
// Reply-To. Auto-Submitted and Precedence are deliberately absent: these
// are messages to one person about their own care or bill, not bulk mail
// or machine notices, and marking them so would suppress legitimate
// replies and hurt their placement.
//
// A value that would end up in a header (addresses, names, subject, key,
// URL) is refused when it holds a line break, so no caller's data can add
// a header of its own.
//
// # TLS
//
// Config.TLS picks one of three modes:
//
//   - TLSStartTLS (the default, usually port 587): the session starts in
//     the clear and must be upgraded with STARTTLS before anything else;
//     a relay that does not offer STARTTLS is left without a word of the
//     message or the credentials being sent.
//   - TLSImplicit (usually port 465): TLS from the first byte.
//   - TLSNone: no TLS at all, only to a loopback address, for a
//     development relay on the same machine. Config.Problems refuses it
//     for any other host.
//
// Certificates are verified against the system roots, or against
// Config.RootCAs when it is set.
//
// # Errors
//
// Send returns a *Error for a failure during the conversation. Temporary
// reports whether sending the same Mail again later may succeed: it is
// true for connection failures, timeouts, TLS failures (as mail servers
// treat a relay that suddenly offers no TLS: defer, do not bounce) and 4xx
// replies, and false for 5xx replies (an address that does not exist,
// credentials the relay rejects, a message it refuses), for a Mail or
// Config that fails validation, and for a password that cannot be read.
//
// Error messages say what failed and at which relay, with the SMTP reply
// code and enhanced status code, and nothing more: never the recipient,
// the subject, the body, the password or the relay's reply text, which
// often quotes the address.
//
// A connection that breaks after the whole message was sent but before
// the relay confirmed it is reported as temporary, so the message may
// arrive twice when it is retried; the stable Message-ID is what lets the
// two be recognised as one.
package email
