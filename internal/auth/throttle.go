package auth

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// Throttling defaults (LoginThrottle's zero values).
const (
	// DefaultThrottleWindow is the sliding window failures are counted in.
	DefaultThrottleWindow = 15 * time.Minute
	// DefaultMaxFailuresPerAccount is how many failures one username may
	// collect within the window; the next attempt is refused.
	DefaultMaxFailuresPerAccount = 10
	// DefaultMaxFailuresPerAddress is how many failures one client address
	// may collect within the window, over all usernames. It is higher than
	// the per-account limit because many staff of a provincial office sign
	// in from behind one address, and one person's typos must not lock out
	// the colleagues.
	DefaultMaxFailuresPerAddress = 30
)

// LoginThrottle bounds password guessing. Failed attempts (a wrong or
// unknown username or password at Login, a wrong current password at
// ChangePassword) are stored in login_failures, so the limits hold across
// every API process sharing the database and survive restarts. When a
// username has MaxPerAccount failures within the sliding Window, or a
// client address MaxPerAddress, further attempts for it are refused with
// TooManyRequests, without checking the password, until enough of those
// failures are older than Window; RetryAfter says when that is. Refused
// attempts are not counted, so nobody is locked out for longer than Window
// after the last counted failure. A successful sign-in or password change
// clears its username's failures, and so does an admin's password reset;
// those failures still count for the addresses they came from, so signing
// in to one's own account does not reset an address spraying guesses.
// Zero fields take the defaults above.
type LoginThrottle struct {
	Window        time.Duration
	MaxPerAccount int
	MaxPerAddress int
}

func (t LoginThrottle) window() time.Duration {
	if t.Window > 0 {
		return t.Window
	}
	return DefaultThrottleWindow
}

func (t LoginThrottle) maxPerAccount() int {
	if t.MaxPerAccount > 0 {
		return t.MaxPerAccount
	}
	return DefaultMaxFailuresPerAccount
}

func (t LoginThrottle) maxPerAddress() int {
	if t.MaxPerAddress > 0 {
		return t.MaxPerAddress
	}
	return DefaultMaxFailuresPerAddress
}

// attempt is one password check held in login_failures while it runs: it
// is counted as a failure from the start, so that a burst of concurrent
// guesses cannot all pass the check before any of them has failed.
type attempt struct {
	s    *Service
	id   int64
	name string
}

// beginAttempt records a pending failure for username name from address
// addr ("" when unknown: only the username is then limited) and checks
// both limits, counting every row within the window, the new one included.
// Over a limit, the row is removed again and the error is TooManyRequests
// with RetryAfter set to when the oldest failures that must age out have.
func (s *Service) beginAttempt(ctx context.Context, name, addr string) (*attempt, error) {
	db := s.DB.WithContext(ctx)
	now := s.now()
	row := models.LoginFailure{Username: clip(name, 64), Address: clip(addr, 64), At: now}
	if err := db.Create(&row).Error; err != nil {
		return nil, errInternal(err, "recording sign-in attempt")
	}
	a := &attempt{s: s, id: row.ID, name: row.Username}
	since := now.Add(-s.Throttle.window())
	wait, err := s.overLimit(db, "username", row.Username, s.Throttle.maxPerAccount(), since, now, row.ID)
	if err == nil && row.Address != "" {
		var w time.Duration
		w, err = s.overLimit(db, "address", row.Address, s.Throttle.maxPerAddress(), since, now, row.ID)
		wait = max(wait, w)
	}
	if err != nil || wait > 0 {
		a.drop(ctx)
		if err != nil {
			return nil, errInternal(err, "checking sign-in attempts")
		}
		secs := int64((wait + time.Second - 1) / time.Second)
		return nil, apperr.New(apperr.TooManyRequests,
			"เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป กรุณารอ %d วินาทีแล้วลองใหม่ (too many failed sign-in attempts; retry in %d seconds)", secs, secs).
			WithDetails(map[string]any{"retry_after_seconds": secs}).
			WithRetryAfter(time.Duration(secs) * time.Second)
	}
	return a, nil
}

// overLimit counts the failures with column col = value after since (own
// row included). Within max it returns 0; over it, how long until enough
// of the other rows have left the window for one more attempt, at least a
// second.
func (s *Service) overLimit(db *gorm.DB, col, value string, limit int, since, now time.Time, own int64) (time.Duration, error) {
	q := func() *gorm.DB {
		return db.Model(&models.LoginFailure{}).Where(col+" = ? AND at > ?", value, since)
	}
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return 0, err
	}
	if n <= int64(limit) {
		return 0, nil
	}
	// n-1 other failures; one more attempt fits once n-limit of them aged out.
	var oldest []time.Time
	if err := q().Where("id <> ?", own).Order("at, id").Offset(int(n)-limit-1).Limit(1).
		Pluck("at", &oldest).Error; err != nil {
		return 0, err
	}
	wait := time.Second
	if len(oldest) == 1 {
		wait = max(oldest[0].Add(s.Throttle.window()).Sub(now), time.Second)
	}
	return wait, nil
}

// cleanupCtx is the context for the bookkeeping after a password check:
// it must happen even if the client went away meanwhile.
func cleanupCtx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// keep leaves the attempt counted as a failure and deletes the failures
// that have left the window, of any username and address. Errors are
// ignored: the bookkeeping must not hide the answer to the attempt.
func (a *attempt) keep(ctx context.Context) {
	since := a.s.now().Add(-a.s.Throttle.window())
	_ = a.s.DB.WithContext(cleanupCtx(ctx)).Where("at <= ?", since).Delete(&models.LoginFailure{}).Error
}

// drop removes the attempt: it was not a wrong guess (or was refused).
func (a *attempt) drop(ctx context.Context) {
	_ = a.s.DB.WithContext(cleanupCtx(ctx)).Where("id = ?", a.id).Delete(&models.LoginFailure{}).Error
}

// clearedUsername replaces the username of failures cleared for their
// account: they keep counting for their address. No normalised username
// is a single space.
const clearedUsername = " "

// clearAccount removes the attempt (the right password was given) and
// clears the other failures of its username.
func (a *attempt) clearAccount(ctx context.Context) {
	a.drop(ctx)
	_ = clearFailures(a.s.DB.WithContext(cleanupCtx(ctx)), a.name)
}

// clearFailures stops the failures of username counting for it, through db.
func clearFailures(db *gorm.DB, username string) error {
	return db.Model(&models.LoginFailure{}).Where("username = ?", username).Update("username", clearedUsername).Error
}
