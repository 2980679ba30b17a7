package codes

import (
	"slices"
	"testing"
)

func TestProcedureServiceType(t *testing.T) {
	for _, c := range []struct{ cdt, want string }{
		{"D0120", "23"}, {"D1110", "41"}, {"d1206", "41"}, {"D2392", "25"}, {"D2740", "36"},
		{"D3330", "26"}, {"D4341", "24"}, {"D5110", "39"}, {"D6010", "39"}, {"D7140", "40"},
		{"D8080", "38"}, {"D9110", "28"},
	} {
		got, ok := ProcedureServiceType(c.cdt)
		if !ok || got != c.want {
			t.Errorf("ProcedureServiceType(%q) = %q, %v; want %q", c.cdt, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "D11", "1110", "D11100", "DABCD", "X1110"} {
		if got, ok := ProcedureServiceType(bad); ok {
			t.Errorf("ProcedureServiceType(%q) = %q, want not a CDT code", bad, got)
		}
	}
}

func TestDentalServiceTypesAsksAboutDentalCareFirst(t *testing.T) {
	got := DentalServiceTypes([]string{"D2740", "D1110", "D0120", "D1206", "junk"})
	want := []string{"35", "23", "36", "41"}
	if !slices.Equal(got, want) {
		t.Fatalf("DentalServiceTypes = %v, want %v", got, want)
	}
	if got := DentalServiceTypes(nil); !slices.Equal(got, []string{"35"}) {
		t.Fatalf("no planned procedures: %v, want [35]", got)
	}
	for _, stc := range want {
		if _, ok := ServiceType(stc); !ok {
			t.Errorf("service type %s has no words", stc)
		}
	}
}
