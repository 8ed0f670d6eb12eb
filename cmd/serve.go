package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/journeysim/journeysim/models"
	"github.com/journeysim/journeysim/models/scenario"
	"github.com/journeysim/journeysim/output"
	"github.com/journeysim/journeysim/output/web"
)

// ServeOptions are the inputs of `journeysim serve`.
type ServeOptions struct {
	Out, Err  io.Writer
	Workspace string
	Addr      string
	// ready, if set, is called with the page's address once it listens.
	ready func(url string)
	scenarioFlags
}

// NewCmdServe returns `journeysim serve`.
func NewCmdServe(runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{}
	c := &cobra.Command{
		Use:   "serve [WORKSPACE]",
		Short: "What-if in a browser: a scenario's levers as controls, the answer with its CIs",
		Long: `Starts a web page over a workspace folder (default: the current one). It lists
the shipped scenarios and the workspace's .toml files, shows the chosen one's
levers (policies, places, budgets and arrivals, each with its source and
uncertainty), runs a what-if against it on common random numbers and shows
the answer as the report does. A what-if is saved into the workspace as a
scenario file of the keys it changes: journeysim compare BASE FILE repeats its
numbers. The page listens on this machine only unless --addr says otherwise,
and needs the token in the address it prints.`,
		Example: `  journeysim serve
  journeysim serve my-area/ --addr 127.0.0.1:8080`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Workspace = "."
			if len(args) == 1 {
				opts.Workspace = args[0]
			}
			if err := opts.scenarioFlags.parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (default: this machine only, a free port)")
	f.IntVar(&opts.Workers, "workers", runtime.GOMAXPROCS(0), "replications run at once; results do not depend on it")
	f.StringVar(&opts.MaxMemory, "max-memory", "", "refuse a what-if that could need more memory than this, e.g. 8GiB; 0 for no limit (default: the machine's memory)")
	return c
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	srv, err := web.New(web.Options{Workspace: opts.Workspace, Token: web.NewToken(), Run: opts.replicateTo, Machine: machine(opts.Workers)})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(opts.Err, "journeysim serve: warning: listening on %s, not this machine alone: anyone who can reach it and has the address below can run what-ifs and save files into %s\n",
			ln.Addr(), srv.Workspace())
	}
	url := fmt.Sprintf("http://%s/?token=%s", ln.Addr(), srv.Token())
	fmt.Fprintf(opts.Out, "journeysim serve: open %s\nworkspace %s; Ctrl-C stops\n", url, srv.Workspace())
	if opts.ready != nil {
		opts.ready(url)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	// Stopped by Ctrl-C is how a server ends: a success.
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// replicateTo runs a what-if's scenario as replicate runs it for `run`:
// the same memory check, then the same replications, progress going to
// the page.
func (o *ServeOptions) replicateTo(ctx context.Context, ref string, sc *scenario.Scenario, m *models.Model, progress func(int)) (output.Run, error) {
	if err := o.checkMemory(ref, m, sc.Replications(), o.Workers); err != nil {
		return output.Run{}, err
	}
	t0 := time.Now()
	rs, err := m.Replicate(ctx, sc.Seed(), sc.Replications(), o.Workers, progress)
	if err != nil {
		return output.Run{}, err
	}
	r := &scenarioRun{Ref: ref, Scenario: sc, Model: m, Layout: m.Layout(), Results: rs, Wall: time.Since(t0)}
	return output.Run{Meta: r.meta(), Layout: r.Layout, Results: r.Results}, nil
}
