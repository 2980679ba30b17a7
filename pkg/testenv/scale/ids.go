package scale

import (
	"fmt"
	"time"
)

// tag tells the ids of one table from another's.
type tag uint32

const (
	tagPractice tag = iota + 1
	tagUser
	tagTeam
	tagGrant
	tagPatient
	tagBalance
	tagClaim
	tagRecall
	tagTreatment
	tagItem
	tagActivity
	tagRemittance
	tagClaimStatus
	tagImport
)

// id is a UUID-shaped id: the table's tag, then n. Ids of one table sort
// in the order they were made, as time-ordered ids do, which keeps bulk
// loading their indexes cheap.
func id(t tag, n int) string {
	return fmt.Sprintf("%08x-0000-7000-8000-%012x", uint32(t), n)
}

// timeID is a version 7 UUID for something made at t: the millisecond
// in its first 48 bits, then n, so ids follow time as the services' own
// uuid.NewV7 ids do.
func timeID(t time.Time, n int) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x-7%03x-8%03x-%012x", ms>>16, ms&0xffff, (n>>48)&0xfff, (n>>36)&0xfff, n&0xffffffffffff)
}

// mix is a fixed scrambling of n (splitmix64's finalizer): the company is
// the same on every run, yet its choices look random.
func mix(n uint64) uint64 {
	n += 0x9e3779b97f4a7c15
	n = (n ^ (n >> 30)) * 0xbf58476d1ce4e5b9
	n = (n ^ (n >> 27)) * 0x94d049bb133111eb
	return n ^ (n >> 31)
}

// pick returns a stable choice in [0, n) for the parts given.
func pick(n int, parts ...int) int {
	h := uint64(0x5ca1ab1e)
	for _, p := range parts {
		h = mix(h ^ uint64(p))
	}
	return int(h % uint64(n))
}
