package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook request headers. The signature is "sha256=" + the hex
// HMAC-SHA256 of the raw request body keyed with the webhook's secret; the
// timestamp (Unix seconds) is also inside the signed body as "timestamp",
// so a receiver can reject replays of old requests.
const (
	HeaderSignature = "X-Tidtam-Signature"
	HeaderTimestamp = "X-Tidtam-Timestamp"
	HeaderDelivery  = "X-Tidtam-Delivery"
)

// WebhookTimeout bounds one webhook request.
const WebhookTimeout = 10 * time.Second

// WebhookPayload is the JSON body POSTed to a webhook. ID is the
// notification ID (the same for every retry, so receivers can
// deduplicate); Delivery the delivery ID; Data the notification's data as
// stored.
type WebhookPayload struct {
	ID        string         `json:"id"`
	Delivery  string         `json:"delivery"`
	Kind      string         `json:"kind"`
	Language  string         `json:"language"`
	CreatedAt time.Time      `json:"created_at"`
	Timestamp int64          `json:"timestamp"`
	Subject   string         `json:"subject"`
	Text      string         `json:"text"`
	Link      string         `json:"link"`
	Data      map[string]any `json:"data"`
}

// Sign returns the X-Tidtam-Signature value of body under secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether signature (a header value) is body's
// signature under secret, comparing in constant time. Receivers written in
// Go can use it as it is.
func VerifySignature(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(signature)))
}

// PostWebhook POSTs body (JSON) to url with the signature and timestamp
// headers, within WebhookTimeout, through policy (nil: the strict
// default): the URL is checked again (WebhookPolicy.Check's rules but for
// the look-up), and the policy's client resolves the host at connection
// time and connects only to allowed addresses, following no redirect. A 2xx
// answer is success; any other answer, or no answer, is ErrTemporary (the
// receiver may be redeploying or overloaded), except that a URL that cannot
// form a request, or that the policy refuses (also when its name now
// resolves to a refused address: DNS rebinding), is ErrConfig.
func PostWebhook(ctx context.Context, policy *WebhookPolicy, url, secret, deliveryID string, timestamp time.Time, body []byte) error {
	policy = policy.orDefault()
	if _, _, err := policy.checkURL(url); err != nil {
		return classified(ErrConfig, 0, fmt.Errorf("webhook URL: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return classified(ErrConfig, 0, fmt.Errorf("webhook URL: %w", err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "tidtam-webhook/1")
	req.Header.Set(HeaderSignature, Sign(secret, body))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	if deliveryID != "" {
		req.Header.Set(HeaderDelivery, deliveryID)
	}
	res, err := policy.Client().Do(req)
	if err != nil {
		if errors.Is(err, ErrWebhookRefused) {
			return classified(ErrConfig, 0, fmt.Errorf("webhook address: %w", err))
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return classified(ErrTemporary, 0, fmt.Errorf("webhook did not answer within %s: %w", WebhookTimeout, err))
		}
		return classified(ErrTemporary, 0, fmt.Errorf("webhook POST: %w", err))
	}
	defer res.Body.Close()
	// Read a little of the answer for the error message, and drain it so
	// the connection can be reused.
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return classified(ErrTemporary, res.StatusCode,
			fmt.Errorf("webhook answered %s: %s", res.Status, strings.TrimSpace(string(snippet))))
	}
	return nil
}
