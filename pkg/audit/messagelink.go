package audit

// ActionMessageLinkOpen is one try at the page a message's link opens
// (docs/messages-link.md): the date of birth entered is checked against
// the patient's before the page shows anything. The event names the
// message in TargetType "message" and TargetID, its patient and work
// item, and in Reason a code: "verified" (outcome allow, with the fields
// the page showed), "mismatch" (deny; Counts["failures"] is the link's
// tally so far), "locked" (deny: earlier failures used up the tries),
// "expired" or "unusable" (deny: the link's time is up, or its practice
// is no longer active or the patient has no date of birth on file). It
// never carries the date entered, the patient's date of birth or the
// link's token.
const ActionMessageLinkOpen Action = "message_link_open"

// LinkHolder is the actor of ActionMessageLinkOpen: whoever holds the
// link, who has not signed in. The event adds where the try came from
// (IP address and user agent) when the request gives them.
var LinkHolder = Actor{Issuer: "backdesk", Subject: "link_holder", Role: "patient"}
