package metrics

import (
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/trackpush/trackpush"
)

// TestEveryStoreOperationTimed: each method of trackpush.Store (but
// Close) has its latency series. A method added to the interface fails
// here until Store times it: one method and one name in InstrumentStore.
func TestEveryStoreOperationTimed(t *testing.T) {
	st := New(Options{}).InstrumentStore(nil)
	typ := reflect.TypeFor[trackpush.Store]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if name == "Close" {
			continue
		}
		if _, ok := st.ops[snake(name)]; !ok {
			t.Errorf("Store.%s is not timed (op %q)", name, snake(name))
		}
	}
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestParseAllow(t *testing.T) {
	got, err := ParseAllow(" 10.0.0.0/8, 192.168.1.5 ,::1,")
	if err != nil || len(got) != 3 || got[1].String() != "192.168.1.5/32" || got[2].String() != "::1/128" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParseAllow("10.0.0.0/33"); err == nil {
		t.Fatal("a bad network was accepted")
	}
	if got, err := ParseAllow(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
}
