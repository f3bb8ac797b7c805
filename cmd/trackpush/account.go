package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/trackpush/trackpush/api"
)

func init() {
	register(command{name: "account", summary: "create, list, disable or enable subscriber accounts", run: runAccount})
}

func runAccount(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := "usage: trackpush account create --db PATH --name NAME --quota N [--expires RFC3339]\n" +
		"       trackpush account list --db PATH\n" +
		"       trackpush account disable|enable --db PATH --id N"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{fmt.Errorf("account: no subcommand")}
	}
	sub := args[0]
	fs := newFlagSet("account "+sub, stderr)
	db := fs.String("db", envOr("DB", "trackpush.db"), "database (TRACKPUSH_DB)")
	name := fs.String("name", "", "account name")
	quota := fs.Int("quota", 0, "subscriptions the account may make")
	expires := fs.String("expires", "", "expiry time, RFC 3339 (default: never)")
	id := fs.Int64("id", 0, "account id")
	secretFile := fs.String("secret-file", envOr("SECRET_FILE", ""), "the server secret that seals keys (default: the database path + .secret)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		a, err := api.NewAccount(*name, *quota, *expires)
		if err != nil {
			return usageError{err}
		}
		c := Config{DB: *db, SecretFile: *secretFile}
		kr, err := openKeyring(ctx, store, c.secretPath())
		if err != nil {
			return err
		}
		a.SealedKey = kr.Seal(a.Key)
		if err := store.CreateAccount(ctx, a); err != nil {
			return err
		}
		return writeJSONLine(stdout, api.ViewAccount(a))
	case "list":
		accts, err := store.Accounts(ctx)
		if err != nil {
			return err
		}
		for _, a := range accts {
			if err := writeJSONLine(stdout, api.ViewAccount(a)); err != nil {
				return err
			}
		}
		return nil
	case "disable", "enable":
		if *id <= 0 {
			return usageError{fmt.Errorf("--id required")}
		}
		if err := store.SetAccountDisabled(ctx, *id, sub == "disable"); err != nil {
			return err
		}
		return writeJSONLine(stdout, map[string]any{"id": *id, "disabled": sub == "disable", "at": time.Now().Format(time.RFC3339)})
	}
	fmt.Fprintln(stderr, usage)
	return usageError{fmt.Errorf("account: unknown subcommand %q", sub)}
}
