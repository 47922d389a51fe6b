package web

import (
	"bufio"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
)

// liveLifetime bounds one /live stream; the browser's EventSource then
// reconnects by itself (after liveRetry), so a stream never outlives a
// deployment for long and a closed tab is noticed.
const (
	liveLifetime  = 10 * time.Minute
	liveHeartbeat = 20 * time.Second
	liveRetry     = 2000 // milliseconds
)

// Live streams Server-Sent Events to a live page (GET /live?topic=…&
// stamp=…): an event "changed" with the new stamp whenever what the page
// shows has changed (see dashboard.Hub), a comment every 20 s to keep the
// connection open. Topics: dashboard (with region, inspection_region),
// province (code), directive (id), meeting (id); each is authorised
// once, as its page is. The stream ends after 10 minutes or when the
// server shuts down; the browser reconnects.
func (w *Pages) Live(c *fiber.Ctx) error {
	key, stamp, err := w.liveTopic(c)
	if err != nil {
		return w.fail(c, err)
	}
	ch, cancel := w.d.Live.Subscribe(key, c.Query("stamp"), stamp)
	done := c.Context().Done() // closed when the server shuts down
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	c.Context().SetBodyStreamWriter(func(out *bufio.Writer) {
		defer cancel()
		end := time.NewTimer(liveLifetime)
		defer end.Stop()
		beat := time.NewTicker(liveHeartbeat)
		defer beat.Stop()
		if _, err := fmt.Fprintf(out, "retry: %d\n\n", liveRetry); err != nil || out.Flush() != nil {
			return
		}
		for {
			var err error
			select {
			case s := <-ch:
				_, err = fmt.Fprintf(out, "event: changed\ndata: %s\n\n", s)
			case <-beat.C:
				_, err = fmt.Fprint(out, ": ping\n\n")
			case <-end.C:
				return
			case <-done:
				return
			}
			if err != nil || out.Flush() != nil {
				return // the viewer has gone
			}
		}
	})
	return nil
}
