// Package jsonobj reads and writes JSON objects keeping their keys in
// order, so that command-line filters (trackpush region --jsonl, trackpush
// enrich --jsonl) can add fields to each input object and pass every other
// field through unchanged.
package jsonobj

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Object is a JSON object as an ordered list of members with raw values.
type Object struct {
	keys []string
	vals []json.RawMessage
}

// Parse reads one JSON object.
func Parse(data []byte) (*Object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	o := &Object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T", tok)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		o.Set(key, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the object")
	}
	return o, nil
}

// Get returns the raw value of key.
func (o *Object) Get(key string) (json.RawMessage, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// String returns the value of key if it is a JSON string.
func (o *Object) String(key string) (string, bool) {
	raw, ok := o.Get(key)
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// Set replaces the value of key, or appends the member when absent. A
// repeated key in the input keeps its first position and last value.
func (o *Object) Set(key string, raw json.RawMessage) {
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = raw
			return
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, raw)
}

// SetValue marshals v (without escaping <, > and &) and sets it.
func (o *Object) SetValue(key string, v any) error {
	raw, err := Marshal(v)
	if err != nil {
		return err
	}
	o.Set(key, raw)
	return nil
}

// MarshalJSON writes the members in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[i])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Marshal is json.Marshal without HTML escaping and without a trailing
// newline.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
