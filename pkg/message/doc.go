// Package message holds what Backdesk says to patients outside a call:
// the templates of texts and e-mails, the placeholders each channel may
// carry, and the checks that keep a message to the minimum necessary.
//
// A text or an e-mail leaves Backdesk's control once sent: it may sit on a
// shared phone or in a family inbox. So a template may name only the
// practice (its name and phone), the patient's first name, the month
// something is due, and a link; a link opens a page that asks the patient
// to verify before it shows anything. Amounts, procedures, diagnoses,
// dates of birth and account numbers have no placeholder, in either
// channel. The providers are in the subpackages: email (SMTP) and sms
// (with sms/twilio).
package message
