package carrier

//go:generate go run ./internal/gen -data ../../shared/data/carriers -out companies_gen.go

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
)

// Company is one carrier of the table.
type Company struct {
	// Code is the carrier code of the wire protocol, lower-case ("shunfeng").
	Code string
	// Name is the display name ("顺丰速运").
	Name string
	// Aliases are other names the public code lists use for the carrier.
	Aliases []string
	// Usage is the carrier's usage count as published around 2019, or 0
	// when the carrier was not among the 32 most used.
	Usage int
}

// index returns the position of code in companies. Codes are lower-case on
// the wire; ASCII upper-case letters are folded so that "YUNDA" finds yunda.
func index(code string) (int, bool) {
	if i, ok := search(code); ok {
		return i, true
	}
	for j := 0; j < len(code); j++ {
		if 'A' <= code[j] && code[j] <= 'Z' {
			return search(strings.ToLower(code))
		}
	}
	return 0, false
}

func search(code string) (int, bool) {
	return slices.BinarySearchFunc(companies[:], code, func(c Company, code string) int {
		return strings.Compare(c.Code, code)
	})
}

// Lookup returns the carrier with the given code. Codes are matched exactly,
// except that ASCII upper-case letters are folded to lower-case ("YuanTong"
// finds yuantong): every code in the table is lower-case and none differ by
// case only, so folding cannot pick a wrong carrier. The returned Company's
// Code is the canonical lower-case code, which is what callers should store
// and send back. Surrounding spaces are not trimmed.
func Lookup(code string) (Company, bool) {
	i, ok := index(code)
	if !ok {
		return Company{}, false
	}
	c := companies[i]
	c.Aliases = slices.Clone(c.Aliases)
	return c, true
}

// All returns the whole carrier table, ordered by code. The caller owns the
// returned slice.
func All() []Company {
	all := slices.Clone(companies[:])
	for i := range all {
		all[i].Aliases = slices.Clone(all[i].Aliases)
	}
	return all
}

// Len reports the number of carriers in the table.
func Len() int { return len(companies) }

// RequiresPhone reports whether subscriptions to the carrier must carry a
// phone number (docs/protocol.md §1): shunfeng, shunfengkuaiyun and the
// zhongtong family, every code that starts with "zhongtong". Codes are
// folded as in Lookup; unknown codes report false.
func RequiresPhone(code string) bool {
	i, ok := index(code)
	if !ok {
		return false
	}
	code = companies[i].Code
	return code == "shunfeng" || code == "shunfengkuaiyun" || strings.HasPrefix(code, "zhongtong")
}

// The downloadable tables never change at run time, so they are rendered
// once.
var (
	jsonTable = sync.OnceValue(func() []byte {
		type row struct {
			Code string `json:"code"`
			Name string `json:"name"`
		}
		rows := make([]row, len(companies))
		for i, c := range companies {
			rows[i] = row{c.Code, c.Name}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // keep "J&T Express" readable
		if err := enc.Encode(rows); err != nil {
			panic("carrier: encode table: " + err.Error())
		}
		return b.Bytes()
	})
	csvTable = sync.OnceValue(func() []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write([]string{"code", "name"})
		for _, c := range companies {
			w.Write([]string{c.Code, c.Name})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			panic("carrier: write table: " + err.Error())
		}
		return b.Bytes()
	})
)

// WriteJSON writes the carrier table ("下载编码表格", GET /companies) as a JSON
// array of {"code", "name"} objects ordered by code, followed by a newline.
// Name is the display name.
func WriteJSON(w io.Writer) error {
	_, err := w.Write(jsonTable())
	return err
}

// WriteCSV writes the carrier table as UTF-8 CSV: the header line
// "code,name", then one carrier per line ordered by code, fields quoted
// where needed (a few names contain commas).
func WriteCSV(w io.Writer) error {
	_, err := w.Write(csvTable())
	return err
}
