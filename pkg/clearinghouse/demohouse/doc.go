// Package demohouse is a stand-in clearinghouse for the development
// binary and for tests: it answers the eligibility batches (270) and
// claim status batches (276) that Backdesk puts in a clearinghouse's
// outbound folder, the way a real clearinghouse would, so that the whole
// loop (ask, acknowledge, answer, apply) runs on one machine.
//
// Answer270 turns one 270 interchange into a 999 accepting it and a 271
// answering every request in it; Answer276 does the same for a 276 with
// a 277. Both are pure: the same batch and the same time give the same
// bytes, so a demo looks the same every time it runs. The answers are
// invented but plausible dental benefits:
//
//   - Most requests get active coverage with a deductible, an annual
//     maximum and what is left of both, coinsurance for diagnostic,
//     preventive, restorative and crown care, and for some a limit of
//     two cleanings a calendar year with what has been used.
//   - In a batch of three or more, a few requests get the answers that
//     need a person, each at most once and only while at least two
//     requests of the batch stay clear: the first one asking about
//     preventive care has its cleanings used up this year, the next is
//     inactive, the next has a member id the payer does not know (AAA
//     72). Requests are taken in the order of a hash of their member id,
//     so who gets which answer does not depend on the batch's order.
//   - A 276 claim gets a 277 saying it was accepted into adjudication
//     (A2) or finalized and paid (F1), by a hash of the claim id.
//
// Run is the clearinghouse's side of the SFTP mailbox: it watches the
// served folder's outbound subfolder, writes each answer whole into the
// inbound subfolder (under a temporary name outside it first, then
// renamed in, so a poller never sees half a file) and moves each batch it
// handled to handled/, so that it answers once.
//
// The batches hold patient data. Errors and logs name files, control
// numbers, codes and counts only.
package demohouse
