package demohouse_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/demohouse"
	"github.com/stretchr/testify/require"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A pass answers each batch in the outbound folder into the inbound
// folder, whole, and moves the batch aside so the next pass leaves it;
// a file still being uploaded, a hidden one, and one that is no batch
// are not answered.
func TestAPassAnswersEachBatchOnce(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, demohouse.Prepare(root))
	out := filepath.Join(root, demohouse.Outbound)
	for name, body := range map[string][]byte{
		"270-000000042.x12":      readFile(t, "270-batch.edi"),
		"276-000000043.x12":      readFile(t, "276-batch.edi"),
		"270-000000044.x12.part": readFile(t, "270-batch.edi")[:100],
		".listing":               []byte("x"),
		"notes.txt":              []byte("not a batch"),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(out, name), body, 0o644))
	}

	done, err := demohouse.AnswerAll(root, now)
	require.NoError(t, err)
	require.Len(t, done, 3)
	require.Equal(t, demohouse.Answered{Batch: "270-000000042.x12", Kind: "270", Answers: []string{"999-100000042.x12", "271-200000042.x12"}}, done[0])
	require.Equal(t, demohouse.Answered{Batch: "276-000000043.x12", Kind: "276", Answers: []string{"999-100000043.x12", "277-300000043.x12"}}, done[1])
	require.Equal(t, "notes.txt", done[2].Batch)
	require.ErrorContains(t, done[2].Err, "no 270 or 276")

	require.ElementsMatch(t, []string{"999-100000042.x12", "271-200000042.x12", "999-100000043.x12", "277-300000043.x12"},
		names(t, filepath.Join(root, demohouse.Inbound)))
	require.ElementsMatch(t, []string{"270-000000042.x12", "276-000000043.x12", "notes.txt"}, names(t, filepath.Join(root, demohouse.Handled)))
	require.ElementsMatch(t, []string{"270-000000044.x12.part", ".listing"}, names(t, out))

	_, want, err := demohouse.Answer270(readFile(t, "270-batch.edi"), now)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(root, demohouse.Inbound, "271-200000042.x12"))
	require.NoError(t, err)
	require.Equal(t, want, got, "the answer is in the inbound folder whole")

	again, err := demohouse.AnswerAll(root, now.Add(time.Minute))
	require.NoError(t, err)
	require.Empty(t, again, "a handled batch is not answered twice")
}

func TestAPassNeedsTheOutboundFolder(t *testing.T) {
	t.Parallel()
	_, err := demohouse.AnswerAll(filepath.Join(t.TempDir(), "nowhere"), now)
	require.Error(t, err)
}

// Run answers a batch that arrives while it runs, and returns when its
// context ends.
func TestRunAnswersBatchesAsTheyArrive(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- demohouse.Run(ctx, root, 10*time.Millisecond, nil) }()
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(root, demohouse.Outbound))
		return err == nil
	}, 10*time.Second, 5*time.Millisecond, "Run makes its folders")
	require.NoError(t, os.WriteFile(filepath.Join(root, demohouse.Outbound, "270-000000042.x12"), readFile(t, "270-batch.edi"), 0o644))
	require.Eventually(t, func() bool { return len(names(t, filepath.Join(root, demohouse.Inbound))) == 2 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}

func TestRunRefusesANonPositiveInterval(t *testing.T) {
	t.Parallel()
	require.Error(t, demohouse.Run(context.Background(), t.TempDir(), 0, nil))
}
