package auditstore_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The log in these tests: 40 events, evt-000001 at leaf 0 (seq 1) to
// evt-000040 at leaf 39, checkpoints at 10, 20, 30 and 40.
func TestVerifyNamesTheFirstTamperedEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tamper  func(t *testing.T, db *sqldb.DB) []string
		saved   int // size of a checkpoint saved before tampering, 0 for none
		kind    audit.ProblemKind
		leaf    int64
		eventID string
		detail  string
	}{
		{
			name:   "a field of one event changed",
			tamper: fixed(`UPDATE audit_events SET body = replace(body, '"outcome":"allow"', '"outcome":"deny"') WHERE id = 'evt-000017'`),
			kind:   audit.ProblemAltered, leaf: 16, eventID: "evt-000017",
		},
		{
			name:   "a search column changed",
			tamper: fixed(`UPDATE audit_events SET actor_subject = 'someone-else' WHERE id = 'evt-000020'`),
			kind:   audit.ProblemAltered, leaf: 19, eventID: "evt-000020", detail: "actor_subject",
		},
		{
			name:   "an event and its leaf deleted",
			tamper: fixed(`DELETE FROM audit_leaves WHERE leaf_index = 24`, `DELETE FROM audit_events WHERE id = 'evt-000025'`),
			kind:   audit.ProblemMissing, leaf: 24, detail: "evt-000024",
		},
		{
			name:   "an event row deleted",
			tamper: fixed(`DELETE FROM audit_events WHERE id = 'evt-000025'`),
			kind:   audit.ProblemMissing, leaf: 24, detail: "evt-000024",
		},
		{
			name: "the bodies of two events swapped",
			tamper: fixed(`UPDATE audit_events SET body = CASE id
				WHEN 'evt-000005' THEN (SELECT body FROM audit_events WHERE id = 'evt-000030')
				ELSE (SELECT body FROM audit_events WHERE id = 'evt-000005') END
				WHERE id IN ('evt-000005', 'evt-000030')`),
			kind: audit.ProblemAltered, leaf: 4, eventID: "evt-000005", detail: "evt-000030",
		},
		{
			name: "two leaves swapped with their hashes",
			tamper: func(t *testing.T, db *sqldb.DB) []string {
				h10, h11 := leafHashAt(t, db, 10), leafHashAt(t, db, 11)
				return []string{
					`UPDATE audit_leaves SET event_seq = -1 WHERE leaf_index = 10`,
					fmt.Sprintf(`UPDATE audit_leaves SET event_seq = 11, leaf_hash = '%s' WHERE leaf_index = 11`, h10),
					fmt.Sprintf(`UPDATE audit_leaves SET event_seq = 12, leaf_hash = '%s' WHERE leaf_index = 10`, h11),
				}
			},
			kind: audit.ProblemReordered, leaf: 11, eventID: "evt-000011",
		},
		{
			name:   "a forged event inserted among integrated ones",
			tamper: fixed(insertForged(0)),
			kind:   audit.ProblemInserted, leaf: -1, eventID: "evt-forged",
		},
		{
			name: "a forged event inserted with its own leaf",
			tamper: fixed(insertForged(1000),
				fmt.Sprintf(`INSERT INTO audit_leaves (leaf_index, event_seq, leaf_hash) VALUES (40, 1000, '%s')`, hex.EncodeToString(leafHash([]byte(forgedBody))))),
			kind: audit.ProblemInserted, leaf: 40, eventID: "evt-forged",
		},
		{
			name: "a body rewritten together with its leaf hash",
			tamper: func(t *testing.T, db *sqldb.DB) []string {
				var body string
				require.NoError(t, db.QueryRow(`SELECT body FROM audit_events WHERE id = 'evt-000013'`).Scan(&body))
				body = strings.Replace(body, `"outcome":"allow"`, `"outcome":"deny"`, 1)
				return []string{
					fmt.Sprintf(`UPDATE audit_events SET body = '%s', outcome = 'deny' WHERE id = 'evt-000013'`, body),
					fmt.Sprintf(`UPDATE audit_leaves SET leaf_hash = '%s' WHERE leaf_index = 12`, hex.EncodeToString(leafHash([]byte(body)))),
				}
			},
			kind: audit.ProblemCheckpoint, leaf: 19, eventID: "evt-000020", detail: "size 20",
		},
		{
			name: "a checkpoint's signed note edited",
			tamper: func(t *testing.T, db *sqldb.DB) []string {
				var msg string
				require.NoError(t, db.QueryRow(`SELECT note FROM audit_checkpoints WHERE size = 30`).Scan(&msg))
				msg = strings.Replace(msg, "\n30\n", "\n31\n", 1)
				return []string{fmt.Sprintf(`UPDATE audit_checkpoints SET note = '%s' WHERE size = 30`, msg)}
			},
			kind: audit.ProblemCheckpoint, leaf: 29, detail: "size 30",
		},
		{
			name: "the log cut back past a saved checkpoint",
			tamper: fixed(`DELETE FROM audit_checkpoints WHERE size > 20`, `DELETE FROM audit_leaves WHERE leaf_index >= 20`,
				`DELETE FROM audit_events WHERE seq > 20`),
			saved: 40,
			kind:  audit.ProblemMissing, leaf: 20, detail: "cut back",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
				ctx := context.Background()
				b := setup(t, db)
				b.store.BatchSize = 10
				b.appendN(t, 40)
				latest := b.integrate(t)
				require.Equal(t, uint64(40), latest.Size)
				var saved *audit.Checkpoint
				if tc.saved > 0 {
					saved = &latest
				}
				rep, err := b.store.Verify(ctx, b.verifier, saved)
				require.NoError(t, err, "untampered")
				require.Equal(t, uint64(40), rep.Leaves)
				require.Equal(t, 4, rep.Checkpoints)

				tamper(t, db, tc.tamper(t, db)...)
				_, err = b.store.Verify(ctx, b.verifier, saved)
				require.ErrorIs(t, err, audit.ErrTampered)
				var p *audit.Problem
				require.ErrorAs(t, err, &p)
				require.Equal(t, tc.kind, p.Kind, err.Error())
				require.Equal(t, tc.leaf, p.LeafIndex, err.Error())
				require.Equal(t, tc.eventID, p.EventID, err.Error())
				require.Contains(t, err.Error(), tc.detail)
			})
		})
	}
}

func fixed(stmts ...string) func(*testing.T, *sqldb.DB) []string {
	return func(*testing.T, *sqldb.DB) []string { return stmts }
}

const forgedBody = `{"id":"evt-forged","time":"2026-11-02T14:00:00Z","actor":{"issuer":"","subject":"agent-1","role":"","session_id":"","ip":"","user_agent":""},"action":"read","practice_id":"","patient_ids":[],"fields":[],"work_item_id":"","grant_id":"","purpose":"","outcome":"allow","reason":"","request_id":"","trace_id":"","break_glass":false}`

func insertForged(seq int) string {
	return fmt.Sprintf(`INSERT INTO audit_events (seq, id, at, actor_subject, action, outcome, body)
VALUES (%d, 'evt-forged', '2026-11-02 14:00:00+00:00', 'agent-1', 'read', 'allow', '%s')`, seq, forgedBody)
}

func leafHashAt(t *testing.T, db *sqldb.DB, i int) string {
	t.Helper()
	var h string
	require.NoError(t, db.QueryRow(`SELECT leaf_hash FROM audit_leaves WHERE leaf_index = $1`, i).Scan(&h))
	return h
}
