package carrier

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	t.Parallel()
	all := All()
	if len(all) != 1568 || Len() != len(all) {
		t.Fatalf("All() has %d carriers, Len() = %d, want 1568", len(all), Len())
	}
	if !slices.IsSortedFunc(all, func(a, b Company) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("All() is not ordered by code")
	}
	usage := 0
	for i, c := range all {
		if i > 0 && all[i-1].Code == c.Code {
			t.Errorf("duplicate code %q", c.Code)
		}
		if c.Code == "" || c.Code != strings.ToLower(c.Code) || c.Name == "" {
			t.Errorf("bad entry %+v", c)
		}
		if c.Usage > 0 {
			usage++
		}
	}
	if usage != 32 {
		t.Errorf("%d carriers with usage counts, want 32", usage)
	}
	all[0].Name = "changed"
	if All()[0].Name == "changed" {
		t.Error("All() shares its backing array")
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code    string
		ok      bool
		want    string // canonical code
		name    string
		aliases []string
		usage   int
	}{
		{"yunda", true, "yunda", "韵达快递", nil, 5936642},
		{"shunfeng", true, "shunfeng", "顺丰速运", []string{"顺丰"}, 2748779},
		{"youshuwuliu", true, "youshuwuliu", "优速快递", []string{"优速"}, 64342},
		{"jisu", true, "jisu", "冀速物流", []string{"盈通物流"}, 0},
		{"100mexpress", true, "100mexpress", "百米快运", nil, 0},
		{"zhongtongphone", true, "zhongtongphone", "中通（带电话）", nil, 0},
		{"YUNDA", true, "yunda", "韵达快递", nil, 5936642},
		{"ShunFeng", true, "shunfeng", "顺丰速运", []string{"顺丰"}, 2748779},
		{" yunda", false, "", "", nil, 0},
		{"", false, "", "", nil, 0},
		{"nosuchcarrier", false, "", "", nil, 0},
		{"cainiao", false, "", "", nil, 0},
	}
	for _, tt := range tests {
		c, ok := Lookup(tt.code)
		if ok != tt.ok {
			t.Errorf("Lookup(%q) ok = %v, want %v", tt.code, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if c.Code != tt.want || c.Name != tt.name || !slices.Equal(c.Aliases, tt.aliases) || c.Usage != tt.usage {
			t.Errorf("Lookup(%q) = %+v, want %s %s %v %d", tt.code, c, tt.want, tt.name, tt.aliases, tt.usage)
		}
	}
	c, _ := Lookup("shunfeng")
	c.Aliases[0] = "changed"
	if c, _ := Lookup("shunfeng"); c.Aliases[0] != "顺丰" {
		t.Error("Lookup shares its Aliases")
	}
}

func TestRequiresPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"shunfeng", true},
		{"shunfengkuaiyun", true},
		{"zhongtong", true},
		{"zhongtongkuaiyun", true},
		{"zhongtongguoji", true},
		{"zhongtongphone", true},
		{"ZhongTong", true},
		{"shunfenglengyun", false},
		{"shunfengkuaidi", false},
		{"yunda", false},
		{"ems", false},
		{"zhongtongnosuch", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := RequiresPhone(tt.code); got != tt.want {
			t.Errorf("RequiresPhone(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
	n := 0
	for _, c := range All() {
		if RequiresPhone(c.Code) {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d carriers require a phone, want 6", n)
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows)
	if !bytes.Contains(b.Bytes(), []byte(`{"code":"jtexpressmy","name":"J&T Express 马来西亚"}`)) {
		t.Error(`JSON escapes "&" or changes the layout`)
	}
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"code", "name"}) {
		t.Fatalf("header %q", recs[0])
	}
	rows := make([]map[string]string, len(recs)-1)
	for i, r := range recs[1:] {
		rows[i] = map[string]string{"code": r[0], "name": r[1]}
	}
	checkRows(t, rows)
}

func checkRows(t *testing.T, rows []map[string]string) {
	t.Helper()
	all := All()
	if len(rows) != len(all) {
		t.Fatalf("%d rows, want %d", len(rows), len(all))
	}
	for i, r := range rows {
		if len(r) != 2 || r["code"] != all[i].Code || r["name"] != all[i].Name {
			t.Fatalf("row %d = %v, want %s %s", i, r, all[i].Code, all[i].Name)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken") }

func TestWriteError(t *testing.T) {
	t.Parallel()
	if WriteJSON(failWriter{}) == nil || WriteCSV(failWriter{}) == nil {
		t.Error("write errors are lost")
	}
}
