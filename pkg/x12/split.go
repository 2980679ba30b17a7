package x12

import (
	"bytes"
	"strings"
)

// split turns the bytes of one segment, terminator removed, into a
// Segment. Line breaks are never data: trailing ones are dropped (a file
// whose terminator is "\n" may still end lines with "\r\n"), and so are
// ones inside the segment, which appear in files wrapped at a fixed width.
func (r *Reader) split(raw []byte, pos Pos) (Segment, error) {
	raw = bytes.TrimRight(raw, "\r\n")
	if bytes.ContainsAny(raw, "\r\n") {
		kept := make([]byte, 0, len(raw))
		for _, c := range raw {
			if c != '\r' && c != '\n' {
				kept = append(kept, c)
			}
		}
		raw = kept
	}
	line := string(raw)
	sep := r.delim.Element
	id, rest, hasElements := strings.Cut(line, string(sep))
	if !validID(id) {
		return Segment{}, errAt(pos, "", 0, "malformed segment identifier (%d bytes)", len(id))
	}
	seg := Segment{ID: id, Pos: pos, component: r.delim.Component, repetition: r.delim.Repetition}
	if hasElements {
		seg.Elements = strings.Split(rest, string(sep))
	}
	return seg, nil
}

// validID reports whether id can be a segment identifier: two or three
// upper-case letters and digits, starting with a letter.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 || id[0] < 'A' || id[0] > 'Z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// segmentID returns the identifier at the start of a partial segment, or
// "" if it does not have a valid one.
func segmentID(raw []byte, sep byte) string {
	id := raw
	if i := bytes.IndexByte(raw, sep); i >= 0 {
		id = raw[:i]
	}
	if !validID(string(id)) {
		return ""
	}
	return string(id)
}
