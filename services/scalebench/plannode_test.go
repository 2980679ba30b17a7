package scalebench_test

import (
	"regexp"
	"slices"
	"strings"
)

// bigTables grow with the company: reading one whole costs in proportion
// to the company, however little is found.
var bigTables = []string{"patients", "balances", "claims", "recalls", "treatment_plans", "work_items", "activities",
	"audit_events", "audit_leaves", "audit_event_patients", "claim_remittances", "claim_status_events"}

// planNode is a node of EXPLAIN (FORMAT JSON)'s plan.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Cond     string     `json:"Index Cond"`
	Plans    []planNode `json:"Plans"`
}

// index is what the checks need to know of an index.
type index struct {
	table   string
	first   string // its first column; "" when that is an expression
	partial bool   // its WHERE clause is a condition of its own
}

// served reports whether index scan x reads only what a condition picks:
// one on the index's first column, or a partial index's own predicate.
// A scan of a small table's index always passes.
func (x planNode) served(indexes map[string]index) bool {
	ix := indexes[x.Index]
	switch {
	case !slices.Contains(bigTables, ix.table), ix.partial:
		return true
	case x.Cond == "":
		return false
	}
	return ix.first == "" || regexp.MustCompile(`\b`+regexp.QuoteMeta(ix.first)+`\b`).MatchString(x.Cond)
}

// unindexed lists where n reads a big table whole: a sequential scan, or
// an index read end to end because no condition picks its entries. A
// BitmapAnd is served when one of its inputs is; a BitmapOr when all are.
func (n planNode) unindexed(indexes map[string]index) []string {
	var out []string
	var visit func(x planNode)
	visit = func(x planNode) {
		switch x.Type {
		case "Seq Scan":
			if slices.Contains(bigTables, x.Relation) {
				out = append(out, "sequential scan of "+x.Relation)
			}
		case "Index Scan", "Index Only Scan", "Bitmap Index Scan":
			if !x.served(indexes) {
				out = append(out, "all of index "+x.Index)
			}
		case "BitmapAnd":
			if !slices.ContainsFunc(x.Plans, func(c planNode) bool { return c.served(indexes) }) {
				out = append(out, "all of indexes "+x.indexNames())
			}
			return
		}
		for _, c := range x.Plans {
			visit(c)
		}
	}
	visit(n)
	return out
}

// walked lists the big indexes n reads in order with no condition,
// stopping at a LIMIT: cheap when what it looks for is common, a walk
// through the whole table when it is rare, so the planner's choice depends
// on the data's size and spread. These are reported, not judged.
func (n planNode) walked(indexes map[string]index) []string {
	var out []string
	n.walk(func(x planNode) {
		if (x.Type == "Index Scan" || x.Type == "Index Only Scan") && !x.served(indexes) {
			out = append(out, x.Index)
		}
	})
	return out
}

// walk calls fn for n and every node under it (subplans included).
func (n planNode) walk(fn func(planNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.walk(fn)
	}
}

func (n planNode) indexNames() string {
	var names []string
	n.walk(func(x planNode) {
		if x.Index != "" {
			names = append(names, x.Index)
		}
	})
	return strings.Join(names, ", ")
}

// String is how the plan reaches each table it reads.
func (n planNode) String() string {
	var parts []string
	n.walk(func(x planNode) {
		switch {
		case x.Index != "":
			parts = append(parts, x.Type+" "+x.Index)
		case x.Relation != "":
			parts = append(parts, x.Type+" "+x.Relation)
		}
	})
	return strings.Join(parts, "; ")
}
