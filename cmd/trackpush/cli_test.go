package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// runCLI2 runs the binary's command line and returns its stdout, stderr
// and exit status.
func runCLI2(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), exitCode(err)
}

// flagsIn returns the flags a help text lists.
func flagsIn(help string) []string {
	var out []string
	for _, line := range strings.Split(help, "\n") {
		if f, ok := strings.CutPrefix(line, "  -"); ok {
			out = append(out, strings.Fields(f)[0])
		}
	}
	sort.Strings(out)
	return out
}

// TestHelp: -h and --help of every command (every registered one: a new
// command is covered as it is added) and of each account subcommand exit
// 0 and show that command's synopsis and its own flags only.
func TestHelp(t *testing.T) {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	for n := range helps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, h := range []string{"-h", "--help"} {
			args := append(strings.Fields(name), h)
			_, help, code := runCLI2(t, args...)
			if code != 0 || !strings.HasPrefix(help, "usage: trackpush "+name) {
				t.Errorf("%v: exit %d, help %q", args, code, help)
			}
		}
	}
	want := map[string]string{
		"account create":  "db expires name quota secret-file",
		"account list":    "db",
		"account disable": "db id",
		"version":         "",
	}
	for name, flags := range want {
		_, help, _ := runCLI2(t, append(strings.Fields(name), "-h")...)
		if got := strings.Join(flagsIn(help), " "); got != flags {
			t.Errorf("%s -h lists %q, want %q", name, got, flags)
		}
	}
	_, help, _ := runCLI2(t, "serve", "-h")
	got := flagsIn(help)
	for _, f := range []string{"addr", "db", "metrics-allow", "metrics-token", "log-format", "per-account", "ingest-memory"} {
		if i := sort.SearchStrings(got, f); i == len(got) || got[i] != f {
			t.Errorf("serve -h lacks -%s", f)
		}
	}
	for _, f := range []string{"quota", "id", "n", "seed"} {
		if i := sort.SearchStrings(got, f); i < len(got) && got[i] == f {
			t.Errorf("serve -h lists another command's -%s", f)
		}
	}
	for _, name := range []string{"serve", "account create", "bench"} {
		_, help, _ := runCLI2(t, append(strings.Fields(name), "-h")...)
		if !strings.Contains(help, "postgres://") {
			t.Errorf("%s -h does not show the PostgreSQL DSN form", name)
		}
	}
	// The top level: help, -h and help CMD exit 0; nothing or a wrong
	// command is a usage error.
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "serve"}} {
		if _, _, code := runCLI2(t, args...); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	for _, args := range [][]string{{}, {"nope"}, {"serve", "--nope"}, {"account", "nope"}} {
		if _, _, code := runCLI2(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if exitCode(usageError{flag.ErrHelp}) != 0 {
		t.Error("a help that was asked for is not exit 0")
	}
}

func TestVersionCommand(t *testing.T) {
	out, _, code := runCLI2(t, "version")
	if code != 0 || !strings.HasPrefix(out, "trackpush ") || !strings.Contains(out, "\nrevision ") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: %d %q", code, out)
	}
	if out2, _, _ := runCLI2(t, "--version"); out2 != out {
		t.Fatalf("--version: %q", out2)
	}
}

// TestConfigErrors: a bad value is named with what is wanted; a file that
// cannot be read is named by its path.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	cases := []struct {
		args []string
		env  map[string]string
		want []string
	}{
		{[]string{"serve", "--db", db, "--log-level", "verbose"}, nil, []string{"log-level", "debug, info, warn or error"}},
		{[]string{"serve", "--db", db, "--log-format", "xml"}, nil, []string{"log-format", "text or json"}},
		{[]string{"serve", "--db", db, "--metrics-allow", "10.0.0.0/99"}, nil, []string{"metrics-allow"}},
		{[]string{"serve", "--db", db}, map[string]string{"TRACKPUSH_WORKERS": "many"}, []string{"TRACKPUSH_WORKERS", `"many"`}},
		{[]string{"serve", "--db", db}, map[string]string{"TRACKPUSH_ADMIN_TOKEN_FILE": filepath.Join(dir, "no-token")}, []string{"TRACKPUSH_ADMIN_TOKEN_FILE", filepath.Join(dir, "no-token")}},
		{[]string{"serve", "--db", db, "--sensitive-words", filepath.Join(dir, "no-words")}, nil, []string{filepath.Join(dir, "no-words")}},
		{[]string{"serve", "--db", dir}, nil, []string{dir, "directory"}},
		{[]string{"account", "list", "--db", filepath.Join(dir, "none.db")}, nil, []string{filepath.Join(dir, "none.db")}},
	}
	for _, c := range cases {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		_, err := runCLI(t, "", c.args...)
		if err == nil {
			t.Errorf("%v %v: no error", c.args, c.env)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v %v: %q does not name %q", c.args, c.env, err, w)
			}
		}
		for k := range c.env {
			os.Unsetenv(k)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused commands left files: %v", entries)
	}
}

// TestWrongSecretFileCreatesNothing: a --secret-file that cannot be the
// database's secret is refused before anything is created: no database,
// no secret file.
func TestWrongSecretFileCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	ls := func() string {
		var names []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return strings.Join(names, " ")
	}
	db := filepath.Join(dir, "a.db")
	// A secret in a directory that does not exist: nothing at all.
	_, err := runCLI(t, "", "account", "create", "--db", db, "--name", "x", "--quota", "1", "--secret-file", filepath.Join(dir, "missing", "s"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "missing", "s")) || ls() != "" {
		t.Fatalf("secret in a missing directory: %v; files %q", err, ls())
	}
	// The database set up with one secret…
	if _, err := runCLI(t, "", "account", "create", "--db", db, "--name", "x", "--quota", "1", "--secret-file", filepath.Join(dir, "good.secret")); err != nil {
		t.Fatal(err)
	}
	before := ls()
	// …refuses a secret file that does not exist, and does not make it…
	other := filepath.Join(dir, "other.secret")
	for _, args := range [][]string{
		{"account", "create", "--db", db, "--name", "y", "--quota", "1", "--secret-file", other},
		{"serve", "--db", db, "--addr", "127.0.0.1:0", "--secret-file", other},
	} {
		_, err := runCLI(t, "", args...)
		if err == nil || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), "set up with") {
			t.Errorf("%v: %v", args[:2], err)
		}
		if _, err := os.Stat(other); err == nil {
			t.Fatalf("%v created %s", args[:2], other)
		}
	}
	// …and one holding another secret.
	os.WriteFile(other, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	if _, err := runCLI(t, "", "account", "create", "--db", db, "--name", "y", "--quota", "1", "--secret-file", other); err == nil || !strings.Contains(err.Error(), "not the secret") {
		t.Errorf("another secret: %v", err)
	}
	os.Remove(other)
	if after := strings.ReplaceAll(ls(), " a.db.lock", ""); after != before {
		t.Errorf("files %q, before %q", after, before)
	}
	out, _ := runCLI(t, "", "account", "list", "--db", db)
	if strings.Count(out, "\n") != 1 {
		t.Errorf("accounts after the refusals:\n%s", out)
	}
}

// TestBenchRefusesData: bench on a database that holds data says so and
// touches nothing.
func TestBenchRefusesData(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	if _, err := runCLI(t, "", "account", "create", "--db", db, "--name", "x", "--quota", "1"); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, "", "bench", "--db", db, "--n", "10")
	if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), db) {
		t.Fatalf("bench on a database with an account: %v", err)
	}
}
