// Package store opens tidtam's relational database (SQLite or PostgreSQL),
// brings its schema up to date with versioned migrations, and holds the
// few data operations that are not owned by a feature package: seeding the
// base units, importing units and holidays from CSV, and writing the audit
// trail.
//
// Everything here must behave the same on both databases; the tests run on
// both through storetest.EachDB.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	// The pure-Go SQLite driver; importing it registers it as "sqlite" (it
	// is also named here for its error type). The embedded Temporal server
	// links the same driver; a second registration of that name (e.g. by
	// github.com/glebarez/sqlite) panics at start-up.
	sqlitedriver "modernc.org/sqlite"
)

// SlowQueryThreshold is the duration above which a query is logged as slow
// (at warn level) through log/slog.
const SlowQueryThreshold = 500 * time.Millisecond

// defaultPingTimeout bounds the first connection when the caller's context
// has no deadline, so a black-holed database host fails start-up instead of
// hanging it.
const defaultPingTimeout = 15 * time.Second

// sqlitePragmas are applied by modernc.org/sqlite to every new connection.
//   - busy_timeout: wait up to 10 s for another process's write lock (e.g.
//     `tidtam migrate` next to a running server) instead of failing at once.
//   - journal_mode(WAL): readers do not block the writer and vice versa.
//   - synchronous(NORMAL): durable across application crashes and safe in
//     WAL mode; only an OS crash may lose the last transactions.
//   - foreign_keys(ON): SQLite ignores REFERENCES clauses otherwise.
//
// _txlock=immediate makes BEGIN take the write lock up front, so a
// transaction that reads and then writes waits on busy_timeout instead of
// failing with SQLITE_BUSY when it tries to upgrade its lock.
// _time_format=sqlite stores times as "2006-01-02 15:04:05.999999999-07:00",
// which SQLite's date functions and the driver both read back.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)" +
	"&_txlock=immediate&_time_format=sqlite"

// Open connects to the database named by databaseURL, pings it within ctx
// and returns the handle with its pool configured.
//
// URLs starting with postgres:// or postgresql:// open PostgreSQL through
// pgx. Anything else is SQLite: "sqlite:PATH", "sqlite://PATH", "file:PATH"
// or a bare PATH (":memory:" for a private in-memory database); the parent
// directory of PATH is created if missing. In the prefixed forms a "?"
// starts query parameters, passed to the driver after tidtam's own
// pragmas; a bare PATH is taken literally.
//
// The returned error names the URL with its password redacted. Open does
// not migrate; call Migrate (or check SchemaVersion) next.
func Open(ctx context.Context, databaseURL string) (*gorm.DB, error) {
	if strings.TrimSpace(databaseURL) == "" {
		return nil, errors.New("store: database URL is empty")
	}
	cfg := &gorm.Config{
		Logger: logger.NewSlogLogger(slog.Default().With("component", "gorm"), logger.Config{
			LogLevel:                  logger.Warn,
			SlowThreshold:             SlowQueryThreshold,
			IgnoreRecordNotFoundError: true,
			// Never log bound values: they include password and token
			// hashes.
			ParameterizedQueries: true,
		}),
		// Times are stored in UTC so that SQLite, which compares them as
		// text, orders them correctly whatever the server's time zone.
		NowFunc:              func() time.Time { return time.Now().UTC() },
		DisableAutomaticPing: true, // Open pings below, within ctx.
		TranslateError:       true,
	}

	var (
		db  *gorm.DB
		err error
	)
	if isPostgresURL(databaseURL) {
		db, err = gorm.Open(postgres.Open(databaseURL), cfg)
	} else {
		var dsn string
		dsn, err = sqliteDSN(databaseURL)
		if err == nil {
			db, err = gorm.Open(newSQLiteDialector(dsn), cfg)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", Redact(databaseURL), err)
	}

	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", Redact(databaseURL), err)
	}
	if IsPostgres(db) {
		// A handful of connections is plenty for an API plus workers; the
		// lifetimes let a PostgreSQL fail-over or pgbouncer restart heal.
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(5)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// One connection for everything. SQLite allows a single writer at a
		// time anyway, so more connections only turn into SQLITE_BUSY
		// retries; with one, database/sql queues callers instead. It also
		// keeps a ":memory:" database alive (each connection would get its
		// own). Consequence for callers: inside db.Transaction use only the
		// tx handle; a query on db from within the callback waits for the
		// connection the transaction holds and deadlocks.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
	}

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultPingTimeout)
		defer cancel()
	}
	if err := Ping(ctx, db); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: cannot connect to %s: %w", Redact(databaseURL), err)
	}
	return db, nil
}

// IsPostgres reports whether db talks to PostgreSQL (otherwise it is
// SQLite).
func IsPostgres(db *gorm.DB) bool {
	return db.Dialector.Name() == "postgres"
}

// Ping checks within ctx that the database answers a query; /readyz uses
// it. It runs a real statement rather than only a driver ping so that a
// SQLite file that has become unreadable is noticed too, and bypasses
// GORM's logger so that a failing readiness probe is reported once, by its
// caller.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	var one int
	if err := sqlDB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	if one != 1 {
		return fmt.Errorf("store: ping returned %d", one)
	}
	return nil
}

// keywordPassword matches password=… in a key/value connection string.
var keywordPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// Redact returns databaseURL fit for logs and error messages: the password
// of a URL's user info, a password query parameter and a key/value
// password=… are replaced by "xxxxx". Other text, e.g. a SQLite path, is
// returned unchanged.
func Redact(databaseURL string) string {
	if strings.Contains(databaseURL, "://") {
		if u, err := url.Parse(databaseURL); err == nil {
			if q := u.Query(); q.Has("password") {
				q.Set("password", "xxxxx")
				u.RawQuery = q.Encode()
			}
			return u.Redacted()
		}
		// Unparseable URL: hide everything between the scheme and the
		// host, where a password would be.
		scheme, rest, _ := strings.Cut(databaseURL, "://")
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			return scheme + "://xxxxx" + rest[at:]
		}
	}
	return keywordPassword.ReplaceAllString(databaseURL, "${1}xxxxx")
}

func isPostgresURL(databaseURL string) bool {
	lower := strings.ToLower(strings.TrimSpace(databaseURL))
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// sqliteDSN turns one of the accepted SQLite URL forms into a
// modernc.org/sqlite URI DSN with tidtam's pragmas, creating the parent
// directory of a file database.
func sqliteDSN(databaseURL string) (string, error) {
	path := strings.TrimSpace(databaseURL)
	userQuery := ""
	for _, prefix := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if len(path) >= len(prefix) && strings.EqualFold(path[:len(prefix)], prefix) {
			path, userQuery, _ = strings.Cut(path[len(prefix):], "?")
			break
		}
	}
	if path == "" {
		return "", errors.New("no SQLite file path given")
	}
	query := sqlitePragmas
	if userQuery != "" {
		query += "&" + userQuery
	}
	if path == ":memory:" {
		return "file::memory:?" + query, nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("create directory for SQLite database: %w", err)
		}
	}
	// In a URI filename these three characters have meaning and must be
	// escaped; everything else is taken literally.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + query, nil
}

// sqliteDialector is gorm's SQLite dialector on the modernc.org/sqlite
// driver, with an error translator that understands that driver's errors:
// gorm's own one only knows mattn/go-sqlite3's, so without this
// errors.Is(err, gorm.ErrDuplicatedKey) would hold on PostgreSQL only.
type sqliteDialector struct {
	*sqlite.Dialector
}

func newSQLiteDialector(dsn string) gorm.Dialector {
	return sqliteDialector{sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: dsn}).(*sqlite.Dialector)}
}

// sqliteErrors maps SQLite extended result codes to gorm's portable errors.
var sqliteErrors = map[int]error{
	275:  gorm.ErrCheckConstraintViolated, // SQLITE_CONSTRAINT_CHECK
	787:  gorm.ErrForeignKeyViolated,      // SQLITE_CONSTRAINT_FOREIGNKEY
	1555: gorm.ErrDuplicatedKey,           // SQLITE_CONSTRAINT_PRIMARYKEY
	2067: gorm.ErrDuplicatedKey,           // SQLITE_CONSTRAINT_UNIQUE
}

// Translate wraps constraint violations so that errors.Is matches gorm's
// portable errors while the driver's message is kept.
func (d sqliteDialector) Translate(err error) error {
	var se *sqlitedriver.Error
	if errors.As(err, &se) {
		if portable, ok := sqliteErrors[se.Code()]; ok {
			return fmt.Errorf("%w: %w", portable, err)
		}
	}
	return err
}
