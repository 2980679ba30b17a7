package work

import "sync"

// refs remembers where items are. An item's practice, patient and kind
// are fixed when it is created and never change, so a Ref once read is
// right for the item's whole life and needs no invalidation; a purged
// item's Ref only leads to reads that find nothing.
type refs struct {
	mu sync.Mutex
	m  map[string]Ref
}

// refsKept bounds the Refs a Desk remembers; when full it starts over,
// which costs one lookup per item next time.
const refsKept = 50_000

func (r *refs) get(itemID string) (Ref, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ref, ok := r.m[itemID]
	return ref, ok
}

func (r *refs) put(itemID string, ref Ref) {
	if itemID == "" || ref.PracticeID == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= refsKept {
		r.m = make(map[string]Ref)
	}
	r.m[itemID] = ref
}
