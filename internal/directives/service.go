package directives

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/swr"
	"github.com/tidtam/tidtam/models"
)

// Deps are what the directive service needs. DB is required; Temporal may
// be nil (every command then answers apperr.Unavailable, reads still work).
type Deps struct {
	DB       *gorm.DB
	Temporal client.Client
	// TaskQueue is where DirectiveWorkflow runs.
	TaskQueue string
	// DataDir holds attachment and evidence files (DataDir/evidence/…).
	DataDir string
	// MaxUploadBytes limits one uploaded file.
	MaxUploadBytes int64
	// Logger receives warnings that do not fail a request; nil discards.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MatrixTTL is how long Matrix keeps a grid (0: DefaultMatrixTTL).
	MatrixTTL time.Duration
}

// NewService returns the Service over d's database and workflow engine.
// One service per process: it queues this process's Updates one at a time
// per assignment.
func NewService(d Deps) Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	ttl := d.MatrixTTL
	if ttl <= 0 {
		ttl = DefaultMatrixTTL
	}
	return &service{Deps: d, matrixCache: swr.New[MatrixView](ttl, d.Now)}
}

// DefaultMatrixTTL is how long a directive's units × items grid is kept
// before it is read again.
const DefaultMatrixTTL = time.Second

func (s *service) matrices() *swr.Cache[MatrixView] { return s.matrixCache }

// service implements Service.
type service struct {
	Deps
	// updates queues this process's Updates per assignment workflow.
	updates keyedGate
	// matrixCache keeps the grids Matrix read (see DefaultMatrixTTL).
	matrixCache *swr.Cache[MatrixView]
}

func (s *service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// db is the database handle bound to ctx.
func (s *service) db(ctx context.Context) *gorm.DB { return s.DB.WithContext(ctx) }

// requireIssuer allows the roles that issue and change directives.
func requireIssuer(p *auth.Principal) error {
	return p.Require(models.RoleSecretariat, models.RoleAdmin)
}

// notFound is the 404 of a directive the caller cannot see or that does
// not exist (the two are not told apart).
func notFound(id string) error {
	return apperr.New(apperr.NotFound, "ไม่พบข้อสั่งการรหัส %q (directive not found)", id)
}
