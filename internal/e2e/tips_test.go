package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/testbin"
	"github.com/tidtam/tidtam/internal/tips"
)

// TestTipsSurviveKill9DuringBurst sends a burst of tips to `tidtam serve`
// from 16 clients (each tip from its own address through a trusted proxy's
// X-Forwarded-For, as many informants would), kills the process with
// SIGKILL in the middle, starts it again on the same data directory and
// retries every submission with its submission ID: every tip is stored
// exactly once, and every receipt answered before the kill is answered
// again on the retry and opens its tip (the tip key generated into the
// data directory survived too).
func TestTipsSurviveKill9DuringBurst(t *testing.T) {
	bin := binary(t)
	dataDir := t.TempDir()
	ports := testbin.FreePorts(t, 2)
	httpPort, temporalPort := ports[0], ports[1]
	base := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	env := serveEnv(dataDir, httpPort, temporalPort, "TIDTAM_TRUSTED_PROXIES=127.0.0.1/32", "TIDTAM_LOG_LEVEL=warn")

	first := testbin.Start(t, "serve (burst)", bin, env, "serve")
	first.WaitReady(t, base, 60*time.Second, readyPoll)

	const n = 300
	body := func(i int) map[string]any {
		return map[string]any{"province_code": "20", "text": fmt.Sprintf("เบาะแสที่ %d ระหว่างการทดสอบ kill -9", i),
			"submission_id": fmt.Sprintf("burst-%04d", i)}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	send := func(i int) (string, int) {
		b, _ := json.Marshal(body(i))
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/tips", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.9.%d.%d", i/250, i%250+1))
		res, err := client.Do(req)
		if err != nil {
			return "", 0
		}
		defer res.Body.Close()
		var r struct{ Receipt string }
		_ = json.NewDecoder(res.Body).Decode(&r)
		return r.Receipt, res.StatusCode
	}

	receipts := make([]string, n)
	var acked atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	killed := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r, status := send(i)
				if status == http.StatusCreated {
					receipts[i] = r
					if acked.Add(1) == n/3 {
						close(killed)
					}
				}
			}
		}()
	}
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("only %d tips acknowledged in 60 s", acked.Load())
	}
	first.Kill() // mid-burst: requests are in flight
	wg.Wait()
	before := int(acked.Load())
	t.Logf("%d of %d tips acknowledged before kill -9", before, n)
	if before >= n {
		t.Fatal("the burst ended before the kill: nothing was tested")
	}

	second := testbin.Start(t, "serve (after kill -9)", bin, env, "serve")
	second.WaitReady(t, base, 60*time.Second, readyPoll)
	for i := range n {
		r, status := send(i)
		if status != http.StatusCreated || len(r) != tips.ReceiptDigits {
			t.Fatalf("retry of tip %d: %d %q", i, status, r)
		}
		if receipts[i] != "" && receipts[i] != r {
			t.Fatalf("tip %d: receipt %s before the kill, %s on the retry", i, receipts[i], r)
		}
		receipts[i] = r
	}
	// Every receipt opens its own tip.
	for i := 0; i < n; i += 15 {
		b, _ := json.Marshal(map[string]string{"receipt": receipts[i]})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/tips/follow-up", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Text string }
		_ = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || v.Text != body(i)["text"] {
			t.Fatalf("follow-up of tip %d: %d %q", i, res.StatusCode, v.Text)
		}
	}
	// Every tip gets its officers' workflow, those whose start the kill cut
	// off included (started by the retry or by the sweep at start), and
	// the workflow's first commit lands: one workflow per tip, by its ID.
	live, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dataDir, "tidtam.db"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		var waiting int64
		if err := live.Table("tips").Where("workflow_started = ? OR version < 1", false).Count(&waiting).Error; err != nil {
			t.Fatal(err)
		}
		if waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tips still without their workflow 90 s after the restart", waiting)
		}
		time.Sleep(time.Second)
	}
	if sqlDB, err := live.DB(); err == nil {
		_ = sqlDB.Close()
	}
	if !second.Stop(20 * time.Second) {
		t.Error("serve did not stop within 20 s of SIGTERM")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dataDir, "tidtam.db"))
	if err != nil {
		t.Fatal(err)
	}
	var count int64
	if err := db.WithContext(ctx).Table("tips").Count(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("%d tips stored for %d submissions: lost or doubled", count, n)
	}
	if fi, err := os.Stat(filepath.Join(dataDir, tips.KeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("tip key file: %v %v", fi, err)
	}
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}
