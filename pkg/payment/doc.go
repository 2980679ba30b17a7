// Package payment is what Backdesk needs from a payment provider to let a
// patient pay a balance through a link: create a hosted checkout for an
// amount (Provider.CreateCheckout), and learn from the provider's signed
// webhook what became of it (Event).
//
// Card data never touches Backdesk. Checkout is hosted by the provider:
// the patient is sent to the provider's page (Checkout.URL), enters card
// or bank details there, and comes back to SuccessURL or CancelURL.
// Backdesk sees only amounts, currencies and the provider's ids; no card
// number, expiry, CVC or bank account passes through its servers, its
// logs or its database, which keeps Backdesk to the smallest PCI DSS
// scope, that of a merchant redirecting to a hosted payment page.
//
// Patients' health information stays out of payment requests too: a
// CheckoutRequest's Description names the practice ("Payment to Bright
// Smile Dental"), never a procedure, a diagnosis or a patient; its
// ClientReference and Metadata hold Backdesk's ids only, and Check refuses
// values that look like anything else (spaces, @, and the like).
//
// The package holds no provider's details; payment/stripe is one provider.
// DevProvider stands in for a real one in development and tests: it moves
// no money, needs no network, and hands its events straight to the caller.
//
// Nothing here keeps state (DevProvider apart, in memory): payment links,
// the payments recorded from events, and the refusal of replayed events by
// Event.ID belong to the callers.
//
// Errors from this package and its providers never contain card data, a
// patient's name or contact details, or a credential, so they can be
// logged and stored as they are.
package payment
