package statement_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/stretchr/testify/require"
)

func TestSampleHasNoProblems(t *testing.T) {
	require.Empty(t, sample().Problems())
}

// secrets are the values planted in a statement whose every field is
// wrong; no problem and no error may quote any of them.
var secrets = []string{
	"Zebulon", "Quixote", "Wolfsbane Lane", "Gravesend", "Skullcrusher",
	"9876543210", "98,765,432.10", "javascript", "evil.example", "XX99",
}

// allWrong is a statement with every field it can get wrong wrong, in
// ways that plant the secrets.
func allWrong() statement.Statement {
	long := strings.Repeat("Quixote ", 10)
	return statement.Statement{
		Practice: statement.Practice{
			Name:    "",
			Address: statement.Address{Line1: long, City: "", State: "Ohio", PostalCode: "4487"},
			RemitTo: statement.Address{Line1: "Wolfsbane Lane\n", City: "Gravesend", State: "oh", PostalCode: "XX99"},
			Phone:   "call Zebulon",
			Hours:   "",
		},
		Guarantor: statement.Guarantor{
			Name:    "Zebulon 李",
			Address: statement.Address{Line1: "", Line2: long, City: "Skullcrusher", State: "OH", PostalCode: "44870-12"},
		},
		AccountNumber:       "Zebulon Quixote #1",
		StatementDate:       records.Date{Year: 2026, Month: 2, Day: 30},
		DueDate:             records.Date{},
		BalanceForwardCents: 9876543210,
		Lines: []statement.Line{
			{Date: records.Date{}, Description: "", ChargeCents: -9876543210},
			{Date: records.Date{Year: 2026, Month: 1, Day: 5}, Description: "ok", InsuranceCents: 9876543210, PatientCents: -9876543210},
		},
		Pending: []statement.Pending{{Payer: "", EstimateCents: 0}, {Date: records.Date{Year: 2026, Month: 1, Day: 5}, Payer: "Skullcrusher Mutual", EstimateCents: 9876543210}},
		Aging:   statement.Aging{CurrentCents: 9876543210},
		PayURL:  "javascript://evil.example/" + strings.Repeat("a", 10),
	}
}

func TestProblemsReportsEveryFieldAtOnceWithoutValues(t *testing.T) {
	p := allWrong().Problems()
	want := []string{
		"practice.name", "practice.address.line1", "practice.address.city", "practice.address.state", "practice.address.postal_code",
		"practice.remit_to.line1", "practice.remit_to.state", "practice.remit_to.postal_code",
		"practice.phone", "practice.hours",
		"guarantor.name", "guarantor.address.line1", "guarantor.address.line2", "guarantor.address.postal_code",
		"account_number", "statement_date", "due_date", "pay_url",
		"balance_forward_cents",
		"lines[0].date", "lines[0].description", "lines[0].charge_cents",
		"lines[1].insurance_cents", "lines[1].patient_cents",
		"pending[0].date", "pending[0].payer", "pending[0].estimate_cents",
		"pending[1].estimate_cents",
		"aging.current_cents",
	}
	require.ElementsMatch(t, want, slices.Collect(maps.Keys(p)))
	for k, msg := range p {
		require.NotEmpty(t, msg, k)
		for _, s := range secrets {
			require.NotContains(t, msg, s, k)
		}
	}

	// Render refuses it, writes nothing, and says so without values.
	var buf bytes.Buffer
	err := statement.Render(&buf, allWrong())
	var invalid *statement.InvalidError
	require.ErrorAs(t, err, &invalid)
	require.Equal(t, p, invalid.Problems)
	require.Zero(t, buf.Len())
	for _, s := range secrets {
		require.NotContains(t, err.Error(), s)
	}
}

func TestProblemsInWords(t *testing.T) {
	s := sample()
	s.Lines[1].ChargeCents = -1
	s.Pending[0].EstimateCents = -5
	s.DueDate = records.Date{Year: 2026, Month: 3, Day: 3}
	s.Lines[0].Date = records.Date{Year: 2026, Month: 3, Day: 5}
	s.Guarantor.Address.State = "Oh"
	require.Equal(t, map[string]string{
		"lines[1].charge_cents":     "must not be negative; enter a reversal as an adjustment",
		"pending[0].estimate_cents": "must be more than zero",
		"due_date":                  "is before the statement date",
		"lines[0].date":             "is after the statement date",
		"guarantor.address.state":   "must be a two-letter USPS state code in capitals",
	}, s.Problems())
}

func TestAgingMustAddUpToTheBalance(t *testing.T) {
	s := sample()
	s.Aging.Over90Cents++
	require.Equal(t, []string{"aging"}, slices.Collect(maps.Keys(s.Problems())))

	// A line moves the balance: the buckets must move with it.
	s = sample()
	s.Lines = append(s.Lines, statement.Line{Date: s.StatementDate, Description: "Refund", PatientCents: 1000})
	require.Contains(t, s.Problems(), "aging")
	s.Aging.CurrentCents += 1000
	require.Empty(t, s.Problems())
}

func TestRemitToDefaultsToThePracticeAddress(t *testing.T) {
	s := sample()
	s.Practice.RemitTo = statement.Address{}
	require.Empty(t, s.Problems())
	// A remit-to given in part is checked whole.
	s.Practice.RemitTo.City = "Columbus"
	require.Subset(t, slices.Collect(maps.Keys(s.Problems())),
		[]string{"practice.remit_to.line1", "practice.remit_to.state", "practice.remit_to.postal_code"})
}

func TestTextTheFontCannotPrint(t *testing.T) {
	s := sample()
	s.Guarantor.Name = "Nguyễn Thị Hoa"          // folds to Nguyen Thi Hoa
	s.Lines[0].Description = "Exam – ﬁrst visit" // ﬁ folds to fi
	require.Empty(t, s.Problems())
	s.Guarantor.Name = "王小明"
	s.Lines[0].Description = "Tab\there"
	require.Equal(t, map[string]string{
		"guarantor.name":       "has a character the statement's font cannot print, or a line break",
		"lines[0].description": "has a character the statement's font cannot print, or a line break",
	}, s.Problems())
}

func TestTooMany(t *testing.T) {
	s := sample()
	for len(s.Lines) <= statement.MaxLines {
		s.Lines = append(s.Lines, statement.Line{Date: s.StatementDate, Description: "Exam"})
	}
	for len(s.Pending) <= statement.MaxPending {
		s.Pending = append(s.Pending, statement.Pending{Date: s.StatementDate, Payer: "Delta", EstimateCents: 1})
	}
	p := s.Problems()
	require.Contains(t, p, "lines")
	require.Contains(t, p, "pending")
	require.NotContains(t, p, "aging", "the sums are not checked when a list is too long")
}

func TestInvalidErrorListsByPathAndCounts(t *testing.T) {
	p := map[string]string{}
	for i := range 12 {
		p[fmt.Sprintf("lines[%d].description", i)] = "is required"
	}
	err := error(&statement.InvalidError{Problems: p})
	require.Equal(t, "statement: invalid: lines[0].description is required; lines[1].description is required; "+
		"lines[2].description is required; lines[3].description is required; lines[4].description is required; and 7 more",
		err.Error())
	var invalid *statement.InvalidError
	require.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &invalid))
}
