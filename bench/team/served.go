package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"time"
)

// servedToken is the token the benchmark's `lamin serve` runs with.
const servedToken = "team-bench-token"

var servingLine = regexp.MustCompile(`serving \S+ at (http://[^/]+)/`)

// timeServed starts `lamin serve` on the query instance and times each
// figure's HTTP request (the path in figure.http) from this process: one
// untimed request, then the median of n. The server keeps its PostgreSQL
// connections (and their prepared statements) between requests, as a team
// deployment does; a CLI process opens a fresh one each time.
func timeServed(ctx context.Context, c config, env []string, figs []figure) ([]float64, error) {
	cmd := exec.CommandContext(ctx, c.lamin, "serve", "--addr", "127.0.0.1:0", "--token", servedToken)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	lines := bufio.NewScanner(stderr)
	base := ""
	for base == "" && lines.Scan() {
		if m := servingLine.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		return nil, fmt.Errorf("lamin serve printed no address")
	}
	go io.Copy(io.Discard, stderr) // request log lines
	client := &http.Client{Timeout: time.Minute}
	get := func(path string) (float64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+servedToken)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ms := float64(time.Since(t0).Microseconds()) / 1000
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return ms, err
	}
	out := make([]float64, len(figs))
	for i, f := range figs {
		if _, err := get(f.http); err != nil {
			return nil, err
		}
		ts := make([]float64, c.repeat)
		for j := range ts {
			if ts[j], err = get(f.http); err != nil {
				return nil, err
			}
		}
		out[i] = median(ts)
	}
	return out, nil
}
