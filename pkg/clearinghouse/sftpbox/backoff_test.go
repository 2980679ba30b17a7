package sftpbox

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		every   time.Duration
		failure int
		ceiling time.Duration // before jitter; the wait is in its upper half
	}{
		{time.Minute, 1, time.Minute},
		{time.Minute, 2, 2 * time.Minute},
		{time.Minute, 3, 4 * time.Minute},
		{time.Minute, 4, maxBackoff},
		{time.Minute, 1000, maxBackoff},
		{10 * time.Second, 6, maxBackoff},
		{time.Hour, 1, time.Hour},
		{time.Hour, 5, time.Hour},
		{5 * time.Millisecond, 3, 20 * time.Millisecond},
	}
	for _, tt := range tests {
		for range 200 {
			got := backoff(tt.every, tt.failure)
			if got < tt.ceiling/2 || got > tt.ceiling {
				t.Fatalf("backoff(%v, %d) = %v, want within [%v, %v]", tt.every, tt.failure, got, tt.ceiling/2, tt.ceiling)
			}
		}
	}
	// The jitter spreads the waits.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(time.Minute, 2)] = true
	}
	if len(seen) < 2 {
		t.Fatalf("backoff has no jitter: %v", seen)
	}
}
