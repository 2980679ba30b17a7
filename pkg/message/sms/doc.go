// Package sms is what Backdesk needs from a text-message provider to reach
// patients: send a text (Provider), learn what became of it (Status, from
// the provider's delivery callbacks), and read what patients answer
// (Inbound), including the keywords by which they withdraw or give back
// their consent (ClassifyKeyword).
//
// The package holds no provider's details; sms/twilio is one provider.
// Nothing here keeps state: consent, opt-outs and the outbox that gives
// each text its Key belong to the callers.
//
// Texts carry patient data. Errors from this package and its providers
// never contain a phone number, a message body or a credential, so they
// can be logged and stored as they are.
package sms
