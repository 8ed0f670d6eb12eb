package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeysim/journeysim/output"
)

// TestBrowserWhatIf drives the what-if page in headless Chromium through
// a whole what-if, as a commissioner would: choose the baseline, set case
// managers at detox, run, read the change in people treated with its CI,
// save the scenario; then runs the saved file with `journeysim compare`
// and checks that it gives the page's numbers, byte for byte. It needs
// Debian's chromium and JOURNEYSIM_BROWSER=1 (make browser-test); with
// -update it rewrites the README's screenshot, output/web/screenshot.png.
func TestBrowserWhatIf(t *testing.T) {
	if os.Getenv("JOURNEYSIM_BROWSER") == "" {
		t.Skip("the browser test runs with JOURNEYSIM_BROWSER=1 (make browser-test)")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("no chromium: sudo apt-get install -y chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ws := filepath.Join(t.TempDir(), "my-area")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}

	ready := make(chan string, 1)
	served := make(chan error, 1)
	opts := &ServeOptions{Out: io.Discard, Err: io.Discard, Workspace: ws, Addr: "127.0.0.1:0",
		ready: func(u string) { ready <- u }, scenarioFlags: scenarioFlags{Workers: runtime.GOMAXPROCS(0)}}
	go func() { served <- serveRun(ctx, opts) }()
	var url string
	select {
	case url = <-ready:
	case err := <-served:
		t.Fatal(err)
	}

	b := startBrowser(t, ctx, chromium)
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": false}, nil)
	b.call("Page.navigate", map[string]any{"url": url}, nil)
	b.waitFor(`document.querySelector('.control[data-path="places.case_management.capacity"] input') !== null`, 20*time.Second)

	b.eval(`(() => { const s = document.getElementById('scenario'); s.value = 'baseline'; s.dispatchEvent(new Event('change')); })()`)
	b.waitFor(`document.getElementById('description').textContent.includes('replications') &&
		document.querySelector('.control[data-path="places.case_management.capacity"] input') !== null`, 20*time.Second)
	b.eval(`(() => {
		const i = document.querySelector('.control[data-path="places.case_management.capacity"] input');
		i.value = '60';
		i.dispatchEvent(new Event('input', { bubbles: true }));
	})()`)
	t0 := time.Now()
	b.eval(`document.getElementById('run').click()`)
	page := b.waitFor(`document.querySelector('#answer tr[data-metric="distinct_clients_treated"] td.change')?.textContent`, 2*time.Minute)
	took := time.Since(t0)
	seconds := b.waitFor(`document.getElementById('status-text').dataset.seconds`, 5*time.Second)
	t.Logf("people in treatment: %s; answered in %.1f s (%s s as the server measured)", page, took.Seconds(), seconds)
	if took > 10*time.Second {
		t.Errorf("the what-if took %.1f s to show its answer: more than 10 s", took.Seconds())
	}

	if *update {
		b.eval(`window.scrollTo(0, 0)`)
		png := b.screenshot()
		if err := os.WriteFile(filepath.Join("..", "output", "web", "screenshot.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	b.eval(`(() => { document.getElementById('file').value = 'case-managers-60'; document.getElementById('save').click(); })()`)
	saved := b.waitFor(`document.getElementById('save-status').dataset.file`, 10*time.Second)
	if saved != "case-managers-60.toml" {
		t.Fatalf("saved as %q", saved)
	}
	file := filepath.Join(ws, saved)

	// The saved file from the command line: check passes, and compare
	// gives the page's numbers.
	var out, errs bytes.Buffer
	if code := Execute(ctx, []string{"check", file}, &out, &errs); code != 0 {
		t.Fatalf("check %s: %d\n%s", file, code, errs.String())
	}
	dir := filepath.Join(t.TempDir(), "cli")
	if code := Execute(ctx, []string{"compare", "baseline", file, "--out", dir, "-q"}, &out, &errs); code != 0 {
		t.Fatalf("compare: %d\n%s", code, errs.String())
	}
	cli, err := os.ReadFile(filepath.Join(dir, "differences-case-managers-60.csv"))
	if err != nil {
		t.Fatal(err)
	}
	token := url[strings.Index(url, "token=")+len("token="):]
	base := url[:strings.Index(url, "/?")]
	resp, err := http.Get(base + "/download/what-if-changes.csv?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	web, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(web, cli) {
		t.Errorf("the page's differences (%d bytes) are not the command line's (%d bytes)", len(web), len(cli))
	}
	rows, err := csv.NewReader(bytes.NewReader(cli)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, r := range rows {
		if r[0] == "distinct_clients_treated" {
			f := func(i int) float64 { x, _ := strconv.ParseFloat(r[i], 64); return x }
			want = output.HumanChange(f(3), f(4), f(5), r[7])
		}
	}
	if page != want || want == "" {
		t.Errorf("the page says %q for people in treatment; the command line's run of the saved file %q", page, want)
	}
	if !strings.HasPrefix(want, "+") {
		t.Errorf("case managers at detox should treat more people: %s", want)
	}
	cancel()
	<-served
}

// A browser is headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: JSON messages, each ended by a NUL byte,
// in on fd 3 and out on fd 4), attached to one page.
type browser struct {
	t       *testing.T
	ctx     context.Context
	w       io.Writer
	msgs    chan []byte
	id      int
	session string
}

func startBrowser(t *testing.T, ctx context.Context, chromium string) *browser {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--remote-debugging-pipe", "--user-data-dir="+t.TempDir(), "--window-size=1280,2000", "about:blank")
	cmd.ExtraFiles = []*os.File{inR, outW}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	t.Cleanup(func() {
		inW.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	b := &browser{t: t, ctx: ctx, w: inW, msgs: make(chan []byte, 64)}
	go func() {
		r := bufio.NewReader(outR)
		for {
			m, err := r.ReadBytes(0)
			if err != nil {
				close(b.msgs)
				return
			}
			b.msgs <- m[:len(m)-1]
		}
	}()
	var target struct{ TargetID string }
	b.call("Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct{ SessionID string }
	b.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	return b
}

// call sends a command and waits for its answer, skipping events.
func (b *browser) call(method string, params any, out any) {
	b.t.Helper()
	b.id++
	msg := map[string]any{"id": b.id, "method": method, "params": params}
	if b.session != "" {
		msg["sessionId"] = b.session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.w.Write(append(data, 0)); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	for {
		select {
		case <-b.ctx.Done():
			b.t.Fatalf("%s: %v", method, b.ctx.Err())
		case raw, ok := <-b.msgs:
			if !ok {
				b.t.Fatalf("%s: chromium closed the pipe", method)
			}
			var m struct {
				ID     int
				Result json.RawMessage
				Error  *struct{ Message string }
			}
			if json.Unmarshal(raw, &m) != nil || m.ID != b.id {
				continue
			}
			if m.Error != nil {
				b.t.Fatalf("%s: %s", method, m.Error.Message)
			}
			if out != nil {
				if err := json.Unmarshal(m.Result, out); err != nil {
					b.t.Fatalf("%s: %v", method, err)
				}
			}
			return
		}
	}
}

// eval evaluates a JavaScript expression in the page and returns its
// value as text ("" for none).
func (b *browser) eval(expr string) string {
	b.t.Helper()
	var r struct {
		Result           struct{ Value any }
		ExceptionDetails *struct {
			Exception struct{ Description string }
		}
	}
	b.call("Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("%s: %s", expr, r.ExceptionDetails.Exception.Description)
	}
	switch v := r.Result.Value.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// waitFor evaluates expr until it is something, and returns it.
func (b *browser) waitFor(expr string, timeout time.Duration) string {
	b.t.Helper()
	end := time.Now().Add(timeout)
	for {
		if v := b.eval(expr); v != "" && v != "false" {
			return v
		}
		if time.Now().After(end) {
			b.t.Fatalf("waited %s for %s; the page says: %s", timeout, expr, b.eval(`document.getElementById('status-text').textContent + ' ' + document.getElementById('problems').textContent`))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) screenshot() []byte {
	b.t.Helper()
	var r struct{ Data string }
	b.call("Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}
