package audit_test

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/stretchr/testify/require"
)

func event() audit.Event {
	return audit.Event{
		ID:         "evt-1",
		Time:       time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CST", -6*3600)),
		Actor:      audit.Actor{Issuer: "https://idp", Subject: "agent-7", Role: "agent", UserAgent: "Mozilla <x> & y"},
		Action:     audit.ActionRead,
		PracticeID: "prac-1",
		PatientIDs: []string{"pat-b", "pat-a"},
		Fields:     []string{"name", "dob"},
		Outcome:    audit.OutcomeAllow,
	}
}

func TestCanonicalIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := audit.Canonical(event())
	require.NoError(t, err)
	e := event()
	e.PatientIDs = []string{"pat-a", "pat-b"}
	e.Fields = []string{"dob", "name"}
	e.Time = e.Time.UTC()
	b, err := audit.Canonical(e)
	require.NoError(t, err)
	require.Equal(t, string(a), string(b))
	require.True(t, strings.HasPrefix(string(a), `{"id":"evt-1","time":"2026-03-04T11:06:07.123456Z","actor":{`), string(a))
	require.Contains(t, string(a), `"Mozilla <x> & y"`)

	back, err := audit.Parse(a)
	require.NoError(t, err)
	again, err := audit.Canonical(back)
	require.NoError(t, err)
	require.Equal(t, string(a), string(again))
}

func TestCanonicalRefusesIncompleteEvents(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(*audit.Event){
		"no id":       func(e *audit.Event) { e.ID = "" },
		"no time":     func(e *audit.Event) { e.Time = time.Time{} },
		"no actor":    func(e *audit.Event) { e.Actor.Subject = "" },
		"no action":   func(e *audit.Event) { e.Action = "" },
		"bad outcome": func(e *audit.Event) { e.Outcome = "maybe" },
	} {
		e := event()
		mutate(&e)
		_, err := audit.Canonical(e)
		require.ErrorIs(t, err, audit.ErrInvalid, name)
	}
}

func TestLeafHashIsRFC6962(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"x"}`)
	want := sha256.Sum256(append([]byte{0}, body...))
	require.Equal(t, want, audit.LeafHash(body))
}

func TestCheckpointSignAndOpen(t *testing.T) {
	t.Parallel()
	skey, vkey, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	derived, err := audit.VerifyKeyFor(skey)
	require.NoError(t, err)
	require.Equal(t, vkey, derived)

	signer, err := audit.ParseSigner(skey)
	require.NoError(t, err)
	verifier, err := audit.ParseVerifier(vkey)
	require.NoError(t, err)
	root := make([]byte, 32)
	root[0] = 7
	cp, err := audit.SignCheckpoint(signer, 42, root)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(cp.Note), "backdesk.test/audit\n42\nBwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— backdesk.test/audit "), string(cp.Note))

	got, err := audit.OpenCheckpoint(cp.Note, verifier)
	require.NoError(t, err)
	require.Equal(t, uint64(42), got.Size)
	require.Equal(t, root, got.Root)

	_, otherV, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	other, err := audit.ParseVerifier(otherV)
	require.NoError(t, err)
	_, err = audit.OpenCheckpoint(cp.Note, other)
	require.ErrorIs(t, err, audit.ErrCheckpoint)

	forged := strings.Replace(string(cp.Note), "\n42\n", "\n43\n", 1)
	_, err = audit.OpenCheckpoint([]byte(forged), verifier)
	require.ErrorIs(t, err, audit.ErrCheckpoint)
}
