package jsonobj

import "testing"

func TestRoundTripKeepsOrderAndValues(t *testing.T) {
	in := `{"z":1,"text":"广东<深圳>","a":{"b":[1,2.50]},"n":null}`
	o, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := o.String("text"); !ok || s != "广东<深圳>" {
		t.Fatalf("String(text) = %q, %v", s, ok)
	}
	if _, ok := o.String("z"); ok {
		t.Fatal("String(z) must fail on a number")
	}
	if err := o.SetValue("region", map[string]string{"x": "<y>"}); err != nil {
		t.Fatal(err)
	}
	o.Set("z", []byte(`2`))
	out, _ := o.MarshalJSON()
	want := `{"z":2,"text":"广东<深圳>","a":{"b":[1,2.50]},"n":null,"region":{"x":"<y>"}}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{``, `[]`, `"x"`, `{"a":1`, `{"a":1} {}`, `{1:2}`, `{"a":}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}
