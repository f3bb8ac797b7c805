package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/trackpush/trackpush/api"
)

func init() {
	register(command{name: "account", summary: "create, list, disable or enable subscriber accounts", args: "create|list|disable|enable [flags]", run: runAccount})
	registerHelp(command{name: "account create", args: "--name NAME --quota N [--expires RFC3339] [--db PATH|DSN] [--secret-file F]",
		summary: "create an account; prints it as JSON with its AppCode and key, shown this once (stored hashed, and sealed with the server secret)"})
	registerHelp(command{name: "account list", args: "[--db PATH|DSN]", summary: "list the accounts (without credentials), one JSON object per line"})
	registerHelp(command{name: "account disable", args: "--id N [--db PATH|DSN]", summary: "disable an account: its requests are refused (600)"})
	registerHelp(command{name: "account enable", args: "--id N [--db PATH|DSN]", summary: "enable a disabled account again"})
}

// accountUsage lists the subcommands.
const accountUsage = `usage: trackpush account create|list|disable|enable [flags]

  create   --name NAME --quota N [--expires RFC3339]   create an account; prints its AppCode and key once
  list                                                list accounts (without credentials)
  disable  --id N                                     disable an account
  enable   --id N                                     enable it again

Every subcommand takes --db PATH|DSN; run "trackpush account SUBCOMMAND -h" for its flags.`

// runAccount manages accounts on the database, beside a live server if one
// runs: it neither locks the file nor touches the server's claims.
func runAccount(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, accountUsage)
		return usageError{fmt.Errorf("account: no subcommand")}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, accountUsage)
		return usageError{flag.ErrHelp}
	}
	sub := args[0]
	if _, ok := helps["account "+sub]; !ok {
		fmt.Fprintln(stderr, accountUsage)
		return usageError{fmt.Errorf("account: unknown subcommand %q", sub)}
	}
	fs := newFlagSet("account "+sub, stderr)
	db := fs.String("db", envOr("DB", "trackpush.db"), dbFlagHelp)
	var name, expires, secretFile *string
	var quota *int
	var id *int64
	switch sub {
	case "create":
		name = fs.String("name", "", "account name")
		quota = fs.Int("quota", 0, "subscriptions the account may make (each accepted subscription uses one)")
		expires = fs.String("expires", "", "expiry time, RFC 3339 with an offset (2026-12-31T23:59:59+08:00); default: never")
		secretFile = fs.String("secret-file", envOr("SECRET_FILE", ""), "the server secret that seals keys: the server's --secret-file (default: the database path + .secret; trackpush.secret with PostgreSQL) (TRACKPUSH_SECRET_FILE)")
	case "disable", "enable":
		id = fs.Int64("id", 0, "account id (account list shows it)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	// Check everything that can be checked before the database is opened
	// (or created): a refused command leaves nothing behind.
	switch sub {
	case "create":
		a, err := api.NewAccount(*name, *quota, *expires)
		if err != nil {
			return usageError{err}
		}
		c := Config{DB: *db, SecretFile: *secretFile}
		if err := checkSecretFile(c.secretPath()); err != nil {
			return err
		}
		store, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer store.Close()
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
		store, err := openExistingStore(ctx, *db)
		if err != nil {
			return err
		}
		defer store.Close()
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
	}
	// disable, enable
	if *id <= 0 {
		return usageError{fmt.Errorf("--id required")}
	}
	store, err := openExistingStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.SetAccountDisabled(ctx, *id, sub == "disable"); err != nil {
		return err
	}
	return writeJSONLine(stdout, map[string]any{"id": *id, "disabled": sub == "disable", "at": time.Now().Format(time.RFC3339)})
}
