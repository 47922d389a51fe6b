package tips

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/tidtam/tidtam/internal/tips/tipstest"
)

// TestStripAppliesOrientation: a 64×48 photo with EXIF orientation 6
// (rotate 90° clockwise to display) is stored 48×64, upright: the
// source's bottom-left corner (green, no red) becomes the top-left, its
// top-left (black) the top-right. Orientation 1 and none change nothing,
// and a malformed segment reads as 1.
func TestStripAppliesOrientation(t *testing.T) {
	red := func(img image.Image, x, y int) (uint32, uint32) {
		r, g, _, _ := img.At(x, y).RGBA()
		return r >> 8, g >> 8
	}
	for _, c := range []struct {
		o, w, h int
	}{{0, 64, 48}, {1, 64, 48}, {3, 64, 48}, {6, 48, 64}, {8, 48, 64}} {
		src := tipstest.ExifJPEGOriented(64, 48, c.o)
		if got := jpegOrientation(src); got != max(c.o, 1) {
			t.Errorf("orientation %d read as %d", c.o, got)
		}
		out, err := stripMetadata("image/jpeg", src)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil || img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h || bytes.Contains(out, []byte("Exif")) {
			t.Fatalf("orientation %d: %v %v", c.o, img.Bounds(), err)
		}
		if c.o == 6 {
			if r, g := red(img, 1, 1); r > 40 || g < 200 {
				t.Errorf("orientation 6: top-left is r%d g%d, want the source's bottom-left (green)", r, g)
			}
			if r, g := red(img, 46, 1); r > 40 || g > 40 {
				t.Errorf("orientation 6: top-right is r%d g%d, want the source's top-left (black)", r, g)
			}
		}
	}
	if o := jpegOrientation([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x40, 'E', 'x'}); o != 1 {
		t.Errorf("a truncated segment reads as %d", o)
	}
}
