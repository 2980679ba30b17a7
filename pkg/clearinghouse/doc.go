// Package clearinghouse is the outbound half of a billing office: it asks
// a clearinghouse about patients' coverage before their visits (X12 270)
// and about claims whose follow-up is due (276), and reads what comes back
// (271 benefits, 277 statuses, TA1 and 999 acknowledgments), so that agents
// get only the cases that need a person.
//
// An eligibility check made by the daily generation for a practice linked
// to a connection waits, in stage StageToAsk, for the next exchange. The
// exchange builds one 270 batch per practice, keeps the file, records an
// inquiry per check under a trace number the answer echoes, and makes each
// check wait for its answer until the connection's answer window ends.
// An answer that is clear (active coverage, nothing in the way of the
// planned procedures) resolves the check with the benefits attached;
// anything else (inactive coverage, a rejection, a frequency used up, a
// waiting period) brings it to an agent with the reason in words, as does
// the timer when no answer comes.
//
// Every file sent or received is kept whole for the audit trail's
// retention, and its sending or receiving is an audit event naming the
// patients in it; a file received twice is stored and applied once.
package clearinghouse
