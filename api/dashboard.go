package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/dashboard"
)

// sendWithETag answers v as JSON with stamp as its strong ETag, or 304
// Not Modified when the client already holds that stamp (If-None-Match),
// so that a dashboard polled by many viewers costs them nothing while it
// does not change.
func sendWithETag(c *fiber.Ctx, stamp string, v any) error {
	etag := `"` + stamp + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.JSON(v)
}

// getDashboard answers GET /dashboard?region=&inspection_region=.
func getDashboard(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ir, _, err := queryInt(c, "inspection_region", 1, 18)
		if err != nil {
			return err
		}
		v, err := d.Dashboard.National(c.UserContext(), principal(c), dashboard.Filter{GeoRegion: c.Query("region"), InspectionRegion: ir})
		if err != nil {
			return err
		}
		return sendWithETag(c, v.Stamp, v)
	}
}

// getProvinceDashboard answers GET /provinces/{code}/dashboard.
func getProvinceDashboard(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := d.Dashboard.Province(c.UserContext(), principal(c), c.Params("code"))
		if err != nil {
			return err
		}
		return sendWithETag(c, v.Stamp, v)
	}
}
