package sqldb

import "context"

// Read is one query of a pipelined read (ReadAll): its text, its
// arguments, and what becomes of each row it returns.
type Read struct {
	Query string
	Args  []any
	Row   func(Scanner) error
}

// ReadAll runs reads, which only read, in order, in the practice scope of
// ctx as Scoped would. Under ShareReads on PostgreSQL they go out as one
// pipeline in the request's shared transaction: one round trip for all of
// them, since none needs another's answer, and the same round trip begins
// the transaction when it is the request's first read. Elsewhere each is
// a statement of its own.
func (db *DB) ReadAll(ctx context.Context, reads ...Read) error {
	if scope, ok := PracticeScope(ctx); ok && db.Dialect == Postgres {
		if s := db.sharedFor(ctx); s != nil {
			ran, err := s.with(scope, reads, func() error {
				if len(reads) == 1 {
					return readOne(ctx, s.conn, reads[0])
				}
				return s.pipeline(ctx, reads)
			})
			if ran {
				return MapError(err)
			}
		}
	}
	return db.Scoped(ctx, func(q Querier) error {
		for _, r := range reads {
			if err := readOne(ctx, q, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func readOne(ctx context.Context, q Querier, r Read) error {
	rows, err := q.QueryContext(ctx, r.Query, r.Args...)
	if err != nil {
		return MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := r.Row(rows); err != nil {
			return err
		}
	}
	return MapError(rows.Err())
}

// pipeline sends reads on the shared transaction's connection in one
// batch and hands each row to its read.
func (s *sharedReads) pipeline(ctx context.Context, reads []Read) error {
	s.db.sentPipeline(reads) // one batch, one Sync: one round trip
	return pipeline(ctx, s.conn, nil, reads)
}

// sentPipeline counts a pipeline of reads as the one round trip it is,
// and shows a watch each of its statements.
func (db *DB) sentPipeline(reads []Read) {
	if db.counter == nil {
		return
	}
	db.counter.statements.Add(1)
	for _, r := range reads {
		db.counter.note("(pipelined) " + r.Query)
	}
}

// sentBegin counts the round trip that begins a shared transaction, with
// its scope and reads, as the begin it is.
func (db *DB) sentBegin(reads []Read) {
	if db.counter == nil {
		return
	}
	db.counter.begins.Add(1)
	db.counter.note("BEGIN READ ONLY")
	db.counter.note("(pipelined) " + setPractice)
	for _, r := range reads {
		db.counter.note("(pipelined) " + r.Query)
	}
}
