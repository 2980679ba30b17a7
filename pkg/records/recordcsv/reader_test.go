package recordcsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

func requireFileError(t *testing.T, err error, code string) *FileError {
	t.Helper()
	var fe *FileError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, code, fe.Code, fe.Message)
	return fe
}

const patientsHeader = "patient_id,first_name,last_name,date_of_birth\n"

func TestOptionsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		code string
	}{
		{"unknown kind", Options{Kind: "invoices"}, "bad_kind"},
		{"unknown preset", Options{Kind: records.Patients, Preset: "softdent"}, "bad_preset"},
		{"mapping without custom", Options{Kind: records.Patients, Preset: PresetDentrix, Mapping: Mapping{"patient_id": "ID"}}, "bad_mapping"},
		{"mapping of an unknown column", Options{Kind: records.Patients, Preset: PresetCustom, Mapping: Mapping{"shoe_size": "Shoe"}}, "bad_mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewReader(strings.NewReader(patientsHeader), tc.opts)
			requireFileError(t, err, tc.code)
		})
	}
}

// readRows reads to the end and returns the rows and the final error.
func readRows(t *testing.T, r *Reader) ([]Row, error) {
	t.Helper()
	var rows []Row
	for {
		row, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return rows, nil
			}
			return rows, err
		}
		rows = append(rows, row)
	}
}

func TestErrorsAreCappedButCounted(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(patientsHeader)
	for i := range 10 {
		fmt.Fprintf(&b, "%d,Ann,Lee,not a date\n", i)
	}
	b.WriteString("99,Ann,Lee,01/01/1980\n")
	r, err := NewReader(strings.NewReader(b.String()), Options{Kind: records.Patients, MaxRowErrors: 3})
	require.NoError(t, err)
	rows, err := readRows(t, r)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Len(t, r.Errors(), 3)
	require.Equal(t, []int{2, 3, 4}, []int{r.Errors()[0].Line, r.Errors()[1].Line, r.Errors()[2].Line})
	require.Equal(t, 10, r.Rejected())
	require.Equal(t, 11, r.Read())
	// The end is sticky.
	_, err = r.Next()
	require.ErrorIs(t, err, io.EOF)
}

// bigPatients returns a patients file of at least size bytes whose rows
// all name the patient last, and the number of rows.
func bigPatients(size int, last string) (*bytes.Buffer, int) {
	var b bytes.Buffer
	b.WriteString(patientsHeader)
	n := 0
	for b.Len() < size {
		n++
		fmt.Fprintf(&b, "P%06d,Zoë,%s,01/02/1980\r\n", n, last)
	}
	return &b, n
}

// TestLongFileDecoding covers what only shows past the 64 KiB sample and
// across 32 KiB chunk edges: multi-byte characters and CRLF pairs split
// between chunks, and a Windows-1252 byte in a file that began as UTF-8.
func TestLongFileDecoding(t *testing.T) {
	t.Parallel()
	b, n := bigPatients(200<<10, "Brontë")
	b.WriteString("X1,Jos\xe9,Pe\xf1a,03/15/1977\r\n") // Windows-1252, pasted in
	size := int64(b.Len())

	r, err := NewReader(b, Options{Kind: records.Patients})
	require.NoError(t, err)
	rows, err := readRows(t, r)
	require.NoError(t, err)
	require.Empty(t, r.Errors())
	require.Len(t, rows, n+1)
	for i, row := range rows[:n] {
		require.Equal(t, i+2, row.Line)
		require.Equal(t, "Zoë", row.Patient.FirstName)
		require.Equal(t, "Brontë", row.Patient.LastName)
	}
	last := rows[n].Patient
	require.Equal(t, "José", last.FirstName)
	require.Equal(t, "Peña", last.LastName)
	require.Equal(t, size, r.BytesRead())
}

func TestNULMidFileAborts(t *testing.T) {
	t.Parallel()
	b, _ := bigPatients(100<<10, "Lee")
	b.WriteString("X1,Ann,\x00Lee,01/01/1980\n")
	r, err := NewReader(b, Options{Kind: records.Patients})
	require.NoError(t, err)
	rows, err := readRows(t, r)
	requireFileError(t, err, "not_csv")
	require.NotEmpty(t, rows)
	_, err = r.Next()
	requireFileError(t, err, "not_csv") // sticky
}

func TestWholeFileWindows1252(t *testing.T) {
	t.Parallel()
	in := patientsHeader + "1,Fran\xe7ois,M\xfcller,01/01/1980\n2,\x93Bo\x94,Smith,01/01/1980\n"
	r, err := NewReader(strings.NewReader(in), Options{Kind: records.Patients})
	require.NoError(t, err)
	rows, err := readRows(t, r)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "François", rows[0].Patient.FirstName)
	require.Equal(t, "Müller", rows[0].Patient.LastName)
	require.Equal(t, "\u201cBo\u201d", rows[1].Patient.FirstName)
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, patientsHeader+"1,Ann,Lee,01/01/1980\n"), nil
	}
	return 0, errors.New("connection reset")
}

func TestSourceErrorIsNotAFileError(t *testing.T) {
	t.Parallel()
	r, err := NewReader(&failingReader{n: 1}, Options{Kind: records.Patients})
	if err == nil {
		_, err = readRows(t, r)
	}
	require.ErrorContains(t, err, "connection reset")
	var fe *FileError
	require.False(t, errors.As(err, &fe))
}

func TestDefaultsToCanonicalPreset(t *testing.T) {
	t.Parallel()
	_, err := NewReader(strings.NewReader("PatNum,FName,LName,Birthdate\n"), Options{Kind: records.Patients})
	fe := requireFileError(t, err, "missing_columns")
	require.Contains(t, fe.Message, "opendental preset")
	r, err := NewReader(strings.NewReader("PatNum,FName,LName,Birthdate\n"), Options{Kind: records.Patients, Preset: PresetOpenDental})
	require.NoError(t, err)
	_, err = r.Next()
	require.ErrorIs(t, err, io.EOF)
}

func TestHeaderMatchingIgnoresCaseAndPunctuation(t *testing.T) {
	t.Parallel()
	in := " Patient ID ,FIRST-NAME,Last_Name,Date of Birth,Shoe Size\n1,Ann,Lee,01/01/1980,9\n"
	r, err := NewReader(strings.NewReader(in), Options{Kind: records.Patients})
	require.NoError(t, err)
	rows, err := readRows(t, r)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "1", rows[0].Patient.ExternalID)
}

func TestPhoneFallsBackAcrossColumns(t *testing.T) {
	t.Parallel()
	in := "PatNum,FName,LName,Birthdate,HmPhone,WirelessPhone\n" +
		"1,Ann,Lee,1980-01-01,(512) 555-0101,(512) 555-0199\n" +
		"2,Bo,Lee,1980-01-01,(512) 555-0102,\n" +
		"3,Cy,Lee,1980-01-01,,bad\n"
	r, err := NewReader(strings.NewReader(in), Options{Kind: records.Patients, Preset: PresetOpenDental})
	require.NoError(t, err)
	rows, err := readRows(t, r)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "+15125550199", rows[0].Patient.Phone) // mobile preferred
	require.Equal(t, "+15125550102", rows[1].Patient.Phone)
	require.Equal(t, []RowError{{Line: 4, Column: "phone", Rule: rulePhone, Message: "phone (WirelessPhone): " + msgPhone}}, r.Errors())
}

func TestColumns(t *testing.T) {
	t.Parallel()
	wantRequired := map[records.Kind][]string{
		records.Patients:     {"patient_id", "first_name", "last_name", "date_of_birth"},
		records.Balances:     {"account_id", "patient_id", "total_balance"},
		records.Claims:       {"claim_number", "patient_id", "payer_name", "date_of_service", "billed_amount"},
		records.Recalls:      {"recall_id", "patient_id", "recall_type", "due_date"},
		records.Treatments:   {"plan_id", "patient_id", "estimated_patient_portion", "presented_date"},
		records.Appointments: {"appointment_id", "patient_id", "start"},
	}
	for _, kind := range records.Kinds {
		var req []string
		for _, c := range Columns(kind) {
			require.NotEmpty(t, c.Description, c.Name)
			require.NotEmpty(t, c.Example, c.Name)
			if c.Required {
				req = append(req, c.Name)
			}
		}
		require.Equal(t, wantRequired[kind], req, kind)
	}
	require.Nil(t, Columns("invoices"))
	require.Equal(t, []Preset{"canonical", "opendental", "dentrix", "eaglesoft", "custom"}, Presets())
}

// TestPresetsNameKnownColumns guards the preset tables against typos: a
// header name filed under a column that does not exist is never used.
func TestPresetsNameKnownColumns(t *testing.T) {
	t.Parallel()
	for name, p := range presets {
		for kind, cols := range p.headers {
			for col := range cols {
				require.True(t, hasColumn(specs[kind], col), "%s %s %s", name, kind, col)
			}
		}
	}
}

// TestCanonicalTemplateReads builds each kind's canonical file from the
// documented examples and reads it back, so docs and parser agree.
func TestCanonicalTemplateReads(t *testing.T) {
	t.Parallel()
	for _, kind := range records.Kinds {
		var names, examples []string
		for _, c := range Columns(kind) {
			names = append(names, c.Name)
			examples = append(examples, `"`+c.Example+`"`)
		}
		in := strings.Join(names, ",") + "\n" + strings.Join(examples, ",") + "\n"
		r, err := NewReader(strings.NewReader(in), Options{Kind: kind})
		require.NoError(t, err, kind)
		rows, err := readRows(t, r)
		require.NoError(t, err, kind)
		require.Empty(t, r.Errors(), kind)
		require.Len(t, rows, 1, kind)
	}
}

// An appointment's wall-clock start is read in the practice's time zone,
// so the same line means a different instant in another zone, and a
// time the clocks skip there is refused.
func TestVisitsAreReadOnThePracticesClock(t *testing.T) {
	t.Parallel()
	in := "appointment_id,patient_id,start\nA1,P1,03/08/2026 02:30\nA2,P1,12/08/2026 09:00\n"
	read := func(zone string) ([]Row, []RowError) {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		r, err := NewReader(strings.NewReader(in), Options{Kind: records.Appointments, Location: loc})
		require.NoError(t, err)
		rows, err := readRows(t, r)
		require.NoError(t, err)
		return rows, r.Errors()
	}
	rows, errs := read("America/Los_Angeles")
	require.Len(t, rows, 1)
	require.Equal(t, time.Date(2026, 12, 8, 17, 0, 0, 0, time.UTC), rows[0].Appointment.Start.UTC())
	require.Equal(t, []RowError{{Line: 2, Column: "start", Rule: ruleTime, Message: "start: " + msgSkippedTime}}, errs)

	rows, errs = read("America/Phoenix") // no daylight saving time: 02:30 exists
	require.Len(t, rows, 2)
	require.Empty(t, errs)
	require.Equal(t, time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC), rows[0].Appointment.Start.UTC())
	require.Equal(t, time.Date(2026, 12, 8, 16, 0, 0, 0, time.UTC), rows[1].Appointment.Start.UTC())
}
