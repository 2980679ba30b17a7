package records

// Row is one record read from a practice's file, with the line it starts
// on. Exactly one pointer is set; a struct of pointers rather than an
// interface keeps callers free of type switches.
type Row struct {
	Line        int
	Patient     *Patient
	Balance     *Balance
	Claim       *Claim
	Recall      *Recall
	Treatment   *TreatmentPlan
	Appointment *Appointment
}

// RowError describes one rejected row: a file's reader refuses a row it
// cannot read, the store one whose patient the practice does not have.
// Message never contains the cell's value: rows hold protected health
// information, and reports are shown to people and written to logs that
// must not carry it.
type RowError struct {
	Line    int    // 1-based physical line in the file where the record starts (header is line 1)
	Column  string // canonical column name ("" for row-level problems)
	Rule    string // stable code, e.g. "date", "unknown_patient"
	Message string // e.g. "date_of_birth: not a date; use MM/DD/YYYY or YYYY-MM-DD"
}
