package message

// Defaults are the templates a practice starts with, one per follow-up
// message and channel, written to say no more than a stranger reading
// the patient's phone may see. Practices edit their own copies.
var Defaults = []Template{
	{Key: "balance_reminder", Name: "Balance reminder", Channel: Text,
		Body: "Hi {{first_name}}, this is {{practice_name}}. There is a balance on your account. " +
			"You can see it and pay securely at {{link}}, or call us at {{practice_phone}}. Reply STOP to opt out."},
	{Key: "balance_reminder", Name: "Balance reminder", Channel: Email,
		Subject: "A message from {{practice_name}} about your account",
		Body: "Hi {{first_name}},\n\nThere is a balance on your account with {{practice_name}}. " +
			"You can see it and pay securely at {{link}}; the page asks you to confirm who you are first.\n\n" +
			"Questions? Call us at {{practice_phone}}.\n\n{{practice_name}}"},
	{Key: "recall_due", Name: "Recall due", Channel: Text,
		Body: "Hi {{first_name}}, {{practice_name}} here: your checkup is due in {{due_month}}. " +
			"Book at {{link}} or call {{practice_phone}}. Reply STOP to opt out."},
	{Key: "recall_due", Name: "Recall due", Channel: Email,
		Subject: "Time for your checkup at {{practice_name}}",
		Body: "Hi {{first_name}},\n\nYour next checkup at {{practice_name}} is due in {{due_month}}. " +
			"Book a time at {{link}}, or call us at {{practice_phone}}.\n\n{{practice_name}}"},
	{Key: "treatment_unscheduled", Name: "Treatment not scheduled", Channel: Text,
		Body: "Hi {{first_name}}, {{practice_name}} here. We have not booked the visit your dentist recommended. " +
			"Call {{practice_phone}} to find a time. Reply STOP to opt out."},
	{Key: "treatment_unscheduled", Name: "Treatment not scheduled", Channel: Email,
		Subject: "Booking your next visit at {{practice_name}}",
		Body: "Hi {{first_name}},\n\nWe have not yet booked the visit your dentist recommended. " +
			"Call us at {{practice_phone}} to find a time that suits you.\n\n{{practice_name}}"},
	{Key: "insurance_information", Name: "Insurance needs information", Channel: Text,
		Body: "Hi {{first_name}}, {{practice_name}} needs a detail about your dental insurance. " +
			"Please call us at {{practice_phone}}. Reply STOP to opt out."},
	{Key: "insurance_information", Name: "Insurance needs information", Channel: Email,
		Subject: "{{practice_name}} needs a detail about your insurance",
		Body: "Hi {{first_name}},\n\nTo keep your insurance claims moving, we need a detail about your dental plan. " +
			"Please call us at {{practice_phone}}.\n\n{{practice_name}}"},
	{Key: "payment_link", Name: "Pay by link", Channel: Text,
		Body: "Hi {{first_name}}, {{practice_name}} here. You can pay your balance securely at {{link}} " +
			"(the page asks you to confirm who you are first). Questions? Call {{practice_phone}}. Reply STOP to opt out."},
	{Key: "payment_link", Name: "Pay by link", Channel: Email,
		Subject: "Pay your {{practice_name}} balance online",
		Body: "Hi {{first_name}},\n\nYou can pay your balance with {{practice_name}} securely at {{link}}. " +
			"The page asks you to confirm who you are before it shows anything.\n\n" +
			"Questions? Call us at {{practice_phone}}.\n\n{{practice_name}}"},
	{Key: "statement_ready", Name: "Statement ready", Channel: Email,
		Subject: "Your statement from {{practice_name}}",
		Body: "Hi {{first_name}},\n\nYour statement from {{practice_name}} is ready. You can see what is due and pay securely at {{link}}; " +
			"the page asks you to confirm who you are before it shows anything.\n\n" +
			"Questions? Call us at {{practice_phone}}.\n\n{{practice_name}}"},
}
