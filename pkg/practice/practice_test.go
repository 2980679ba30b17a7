package practice_test

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/stretchr/testify/require"
)

func TestValidNPI(t *testing.T) {
	t.Parallel()
	for npi, want := range map[string]bool{
		"1234567893": true, // the standard's worked example
		"1245319599": true,
		"1234567890": false, // wrong check digit
		"3234567893": false, // must start with 1 or 2
		"123456789":  false,
		"12345678a3": false,
		"":           false,
	} {
		require.Equal(t, want, practice.ValidNPI(npi), npi)
	}
}

// memStore records creations; other methods are not used by these tests
// and panic through the nil embedded interface if they ever are.
type memStore struct {
	practice.Storer
	created []practice.Practice
}

func (m *memStore) Create(_ context.Context, p practice.Practice, _ outbox.Message, _ audit.Event) error {
	m.created = append(m.created, p)
	return nil
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	long := make([]byte, 201)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct {
		name  string
		in    practice.NewPractice
		field string
		code  string
	}{
		{"ok", practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "America/New_York"}, "", ""},
		{"no name", practice.NewPractice{Name: "  ", NPI: "1234567893", Timezone: "UTC"}, "name", "required"},
		{"long name", practice.NewPractice{Name: string(long), NPI: "1234567893", Timezone: "UTC"}, "name", "too_long"},
		{"bad npi", practice.NewPractice{Name: "A", NPI: "1234567890", Timezone: "UTC"}, "npi", "invalid_npi"},
		{"no tz", practice.NewPractice{Name: "A", NPI: "1234567893"}, "timezone", "required"},
		{"bad tz", practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "Mars/Olympus"}, "timezone", "invalid_timezone"},
		{"local tz", practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "Local"}, "timezone", "invalid_timezone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := &memStore{}
			notified := 0
			svc := practice.NewService(store, nil, func() { notified++ })
			_, err := svc.Create(context.Background(), tc.in)
			if tc.field == "" {
				require.NoError(t, err)
				require.Len(t, store.created, 1)
				require.Equal(t, 1, notified)
				return
			}
			var ae *apperr.Error
			require.ErrorAs(t, err, &ae)
			require.Equal(t, apperr.KindInvalid, ae.Kind)
			require.Equal(t, tc.field, ae.Field)
			require.Equal(t, tc.code, ae.Code)
			require.Empty(t, store.created)
			require.Zero(t, notified)
		})
	}
}
