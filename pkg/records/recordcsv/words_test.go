package recordcsv

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv/cell"
	"github.com/stretchr/testify/require"
)

func TestWords(t *testing.T) {
	t.Parallel()
	od, dx := presets[PresetOpenDental], presets[PresetDentrix]
	for _, tc := range []struct {
		p    *preset
		in   string
		want records.ClaimStatus
	}{
		{od, "S", records.ClaimSubmitted}, {od, "R", records.ClaimPaid}, {od, "W", records.ClaimPending},
		{od, "U", records.ClaimPending}, {od, "H", records.ClaimPending}, {od, "I", records.ClaimPending},
		{dx, "Not Sent", records.ClaimPending}, {dx, "Received", records.ClaimPaid},
		{presets[PresetCanonical], "Partially Paid", records.ClaimPartial},
		{presets[PresetCanonical], "DENIED", records.ClaimDenied},
	} {
		got, ok := tc.p.status(cell.Key(tc.in))
		require.True(t, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	// One system's codes are not another's: "S" means nothing in Dentrix.
	_, ok := dx.status(cell.Key("S"))
	require.False(t, ok)

	c, ok := od.channel(cell.Key("TextMessage"))
	require.True(t, ok)
	require.Equal(t, records.ChannelText, c)
	c, ok = od.channel(cell.Key("DoNotCall"))
	require.True(t, ok)
	require.Empty(t, c)
	_, ok = presets[PresetCanonical].channel(cell.Key("pigeon"))
	require.False(t, ok)

	es := presets[PresetEaglesoft]
	for _, tc := range []struct {
		p    *preset
		in   string
		want records.AppointmentStatus
	}{
		{od, "1", records.AppointmentScheduled}, {od, "2", records.AppointmentCompleted}, {od, "UnschedList", records.AppointmentCancelled},
		{od, "5", records.AppointmentBroken}, {od, "Broken", records.AppointmentBroken},
		{dx, "FIRM", records.AppointmentConfirmed}, {dx, "Left Message", records.AppointmentScheduled},
		{es, "Checked Out", records.AppointmentCompleted}, {es, "Unconfirmed", records.AppointmentScheduled},
		{presets[PresetCanonical], "No-Show", records.AppointmentBroken},
		{presets[PresetCanonical], "Canceled", records.AppointmentCancelled},
	} {
		got, ok := tc.p.visitStatus(cell.Key(tc.in))
		require.True(t, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	// Open Dental's planned appointments are not visits on the schedule,
	// and its numbers mean nothing to another system.
	_, ok = od.visitStatus(cell.Key("6"))
	require.False(t, ok)
	_, ok = dx.visitStatus(cell.Key("1"))
	require.False(t, ok)
}
