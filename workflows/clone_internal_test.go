package workflows

import (
	"reflect"
	"testing"
	"time"
)

// fill sets every field reachable from v (a pointer) to a non-zero value
// derived from seed: strings, numbers, booleans, instants, pointers and
// one-element slices, recursively (booleans are flipped).
func fill(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(t, v.Elem(), seed)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Hour)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(t, v.Field(i), seed+i)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0), seed)
		v.Set(s)
	case reflect.String:
		v.SetString("s" + itoa(seed))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(seed + 1))
	case reflect.Bool:
		v.SetBool(!v.Bool())
	default:
		t.Fatalf("fill: unhandled kind %s (%s); teach fill and cloneState about it", v.Kind(), v.Type())
	}
}

// TestCloneStateCoversEveryField: cloneState copies every field of the
// state, shares no pointer or slice with the original, and sameItem sees a
// change in any field of an item or its reports.
func TestCloneStateCoversEveryField(t *testing.T) {
	var orig, want AssignmentState
	fill(t, reflect.ValueOf(&orig), 1)
	fill(t, reflect.ValueOf(&want), 1)
	clone := cloneState(orig)
	if !reflect.DeepEqual(clone, want) {
		t.Fatalf("clone differs from the original:\n%+v\n%+v", clone, want)
	}
	// Overwrite the clone in place (through its pointers and slices).
	fill(t, reflect.ValueOf(&clone).Elem().FieldByName("AcknowledgedAt").Elem(), 50)
	fill(t, reflect.ValueOf(&clone).Elem().FieldByName("ClosedAt").Elem(), 50)
	clone.HolidayYears[0] = 99
	clone.Items[0].OpenEscalations[0] = "x"
	clone.Items[0].Reports[0].Reason = "x"
	*clone.Items[0].Reports[0].Decision = "x"
	fill(t, reflect.ValueOf(&clone.Items[0]).Elem(), 50)
	if !reflect.DeepEqual(orig, want) {
		t.Fatalf("changing the clone changed the original")
	}

	base := cloneItem(orig.Items[0])
	if !sameItem(base, orig.Items[0]) {
		t.Fatal("an item differs from its copy")
	}
	typ := reflect.TypeFor[ItemState]()
	for i := 0; i < typ.NumField(); i++ {
		changed := cloneItem(base)
		fill(t, reflect.ValueOf(&changed).Elem().Field(i), 100)
		if sameItem(base, changed) {
			t.Errorf("sameItem misses a change of ItemState.%s", typ.Field(i).Name)
		}
	}
	rtyp := reflect.TypeFor[ReportRef]()
	for i := 0; i < rtyp.NumField(); i++ {
		changed := cloneItem(base)
		fill(t, reflect.ValueOf(&changed.Reports[0]).Elem().Field(i), 100)
		if sameItem(base, changed) {
			t.Errorf("sameItem misses a change of ReportRef.%s", rtyp.Field(i).Name)
		}
	}
	// Instants compare as instants; nil and empty slices are equal.
	moved := cloneItem(base)
	moved.OpenedAt = moved.OpenedAt.In(time.FixedZone("ICT", 7*3600))
	moved.OpenEscalations = nil
	alsoEmpty := cloneItem(base)
	alsoEmpty.OpenEscalations = []string{}
	if !sameItem(moved, alsoEmpty) {
		t.Error("same instant in another zone, or nil vs empty slice, counted as a change")
	}
}
