package recordcsv

// idSet remembers 64-bit id hashes with the line each was first seen on,
// in two flat arrays with open addressing. A Go map of the same entries
// costs about three times the memory, and doubles it again while it grows;
// for a file of over a million short rows that alone broke the import's
// memory budget.
type idSet struct {
	keys  []uint64 // 0 marks an empty slot; stored hashes are never 0
	lines []uint32
	n     int
}

func newIDSet() *idSet {
	return &idSet{keys: make([]uint64, 1024), lines: make([]uint32, 1024)}
}

// add records h at line unless it is there; it returns the first line and
// true when h was seen before.
func (s *idSet) add(h uint64, line uint32) (uint32, bool) {
	if h == 0 {
		h = 1
	}
	if (s.n+1)*4 > len(s.keys)*3 {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case 0:
			s.keys[i], s.lines[i] = h, line
			s.n++
			return 0, false
		case h:
			return s.lines[i], true
		}
	}
}

func (s *idSet) grow() {
	keys, lines := s.keys, s.lines
	s.keys = make([]uint64, len(keys)*2)
	s.lines = make([]uint32, len(keys)*2)
	s.n = 0
	for i, k := range keys {
		if k != 0 {
			s.add(k, lines[i])
		}
	}
}
