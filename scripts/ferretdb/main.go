// Command ferretdb-embedded runs FerretDB v1 (MongoDB wire protocol over SQLite
// or PostgreSQL) on a loopback port for the tests, the demo and the benchmarks.
// The stock cmd/ferretdb binary panics without a generated version file, so the
// project embeds the library instead. It prints the connection string as its
// first stdout line and stops on SIGINT/SIGTERM or when stdin closes (so it
// never outlives the Node process that started it).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	dir := flag.String("sqlite-dir", "", "folder for the SQLite files (handler sqlite)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL (handler postgresql)")
	listen := flag.String("listen", "127.0.0.1:0", "loopback TCP address; port 0 picks a free one")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF")
	flag.Parse()

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Handler:  *handler,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
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
		cfg.PostgreSQLURL = *pgURL
	default:
		fail("unknown handler " + *handler)
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		fail(err.Error())
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
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "ferretdb-embedded:", msg)
	os.Exit(2)
}
