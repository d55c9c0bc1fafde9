// Command ferretdb-embedded runs FerretDB v1 (MongoDB wire protocol over SQLite
// or PostgreSQL) on a loopback port for the tests, the demo and the benchmarks.
// The stock cmd/ferretdb binary panics without a generated version file, so the
// project embeds the library instead. It prints the connection string as its
// first stdout line and stops on SIGINT/SIGTERM or when stdin closes (so it
// never outlives the Node process that started it). With handler postgresql it
// creates a database of its own on the server and drops it when it stops, so
// runs never share or leave data, like the SQLite handler's temporary folder.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
)

func main() {
	os.Exit(run())
}

// run serves until stopped and returns the exit code; its deferred cleanups (the
// PostgreSQL database) run before main exits.
func run() int {
	// FerretDB spends about half its CPU in Go's collector at the default GOGC of 100
	// (every document is decoded from JSON); 400 gave the sending benchmark 12 % more
	// throughput on two cores for about 80 MB more memory. GOGC set outside wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	dir := flag.String("sqlite-dir", "", "folder for the SQLite files (handler sqlite)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL server URL (handler postgresql); a fresh database is created on it")
	listen := flag.String("listen", "127.0.0.1:0", "loopback TCP address; port 0 picks a free one")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF")
	flag.Parse()

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Handler:  *handler,
		// Above error: the PostgreSQL handler logs every refused insert (a duplicate
		// key, which the project uses as its claim) as an error; clients get them anyway.
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 4})),
	}
	switch *handler {
	case "sqlite":
		if *dir == "" {
			fail("-sqlite-dir is required with handler sqlite")
		}
		if err := os.MkdirAll(*dir, 0o700); err != nil {
			fail(err.Error())
		}
		cfg.SQLiteURL = "file:" + *dir + "/"
	case "postgresql":
		dbURL, drop, err := freshDatabase(*pgURL)
		if err != nil {
			fail(err.Error())
		}
		defer drop()
		cfg.PostgreSQLURL = dbURL
	default:
		fail("unknown handler " + *handler)
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-embedded:", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()
	fmt.Println(f.MongoDBURI())
	<-done
	return 0
}

// freshDatabase creates a randomly named database on the server of serverURL
// and returns its URL, and a function that drops it (closing its connections).
func freshDatabase(serverURL string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("postgresql: %w", err)
	}
	dropOrphans(ctx, admin)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := fmt.Sprintf("ferretdb_%d_%s", os.Getpid(), hex.EncodeToString(suffix))
	if _, err = admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close(ctx)
		return "", nil, fmt.Errorf("postgresql: %w", err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	// FerretDB opens up to 50 connections by default, so two launchers at once (tests of
	// two checkouts, a demo) could exhaust the server's 100. Not fewer than 40: FerretDB
	// sometimes keeps a connection after a query, and a pool of 16 ran dry in a long run.
	query := u.Query()
	if !query.Has("pool_max_conns") {
		query.Set("pool_max_conns", "40")
	}
	u.RawQuery = query.Encode()
	drop := func() {
		dropCtx, dropCancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer dropCancel()
		_, _ = admin.Exec(dropCtx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close(dropCtx)
	}
	return u.String(), drop, nil
}

// dropOrphans drops the databases of launchers that no longer run on this host
// (killed before they could drop their own): the name carries the launcher's pid.
func dropOrphans(ctx context.Context, admin *pgx.Conn) {
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'ferretdb_%'")
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		var pid int
		var suffix string
		if n, _ := fmt.Sscanf(name, "ferretdb_%d_%s", &pid, &suffix); n != 2 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "ferretdb-embedded:", msg)
	os.Exit(2)
}
