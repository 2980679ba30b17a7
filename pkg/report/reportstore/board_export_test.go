package reportstore

import "github.com/backdesk/backdesk/pkg/platform/sqldb"

// NewMergingEveryTime returns a Store whose board merges the kept counts'
// past days every time it reads them, so that tests see merges often.
func NewMergingEveryTime(db *sqldb.DB) *Store {
	s := New(db)
	s.rollupSlack = -1 << 20
	return s
}
