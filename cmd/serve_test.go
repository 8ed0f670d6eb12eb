package cmd

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// TestServe starts the page on this machine and on every address: the
// printed address opens the page (its token sets the cookie), and only
// the second warns.
func TestServe(t *testing.T) {
	for _, tt := range []struct {
		addr string
		warn bool
	}{{"127.0.0.1:0", false}, {"0.0.0.0:0", true}} {
		t.Run(tt.addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errs bytes.Buffer
			ready := make(chan string, 1)
			opts := &ServeOptions{Out: &out, Err: &errs, Workspace: t.TempDir(), Addr: tt.addr,
				ready: func(u string) { ready <- u }, scenarioFlags: scenarioFlags{Workers: 1}}
			done := make(chan error, 1)
			go func() { done <- serveRun(ctx, opts) }()
			var url string
			select {
			case url = <-ready:
			case err := <-done:
				t.Fatal(err)
			}
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			for _, u := range []string{url, url[:strings.Index(url, "?")]} {
				resp, err := c.Get(u)
				if err != nil {
					t.Fatal(err)
				}
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "What if?") {
					t.Errorf("GET %s: %d", u, resp.StatusCode)
				}
			}
			if resp, err := http.Get(url[:strings.Index(url, "?")] + "api/scenarios"); err != nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("without the token: %v %v", err, resp.StatusCode)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("stopped: %v", err)
			}
			if !strings.Contains(out.String(), "journeysim serve: open "+url+"\n") {
				t.Errorf("printed %q", out.String())
			}
			if warned := strings.Contains(errs.String(), "warning: listening on"); warned != tt.warn {
				t.Errorf("warning %v, want %v: %q", warned, tt.warn, errs.String())
			}
		})
	}
}

func TestServeFlags(t *testing.T) {
	var got *ServeOptions
	root := NewCmdRoot(io.Discard, io.Discard)
	for _, c := range root.Commands() {
		if c.Name() == "serve" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdServe(func(o *ServeOptions) error { got = o; return nil }))
	root.SetArgs([]string{"serve", "ws", "--addr", "127.0.0.1:8080", "--workers", "3", "--max-memory", "2GiB"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Workspace != "ws" || got.Addr != "127.0.0.1:8080" || got.Workers != 3 || got.MaxMemory != "2GiB" {
		t.Errorf("options %+v", got)
	}
	if code := Execute(context.Background(), []string{"serve", "--workers", "0"}, io.Discard, io.Discard); code != exitUsage {
		t.Errorf("--workers 0: exit %d", code)
	}
}
