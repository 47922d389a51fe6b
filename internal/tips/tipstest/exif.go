// Package tipstest builds test files for the tip-off channel's tests: a
// JPEG carrying EXIF GPS tags, written byte by byte.
package tipstest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
)

// GPSMarker is the GPSMapDatum text ExifJPEG writes into the GPS IFD, a
// string no re-encoded image contains.
const GPSMarker = "TIDTAM-GPS-MARKER-13.7563N"

// GPSLatitude is the GPSLatitude value ExifJPEG writes (three big-endian
// rationals: 13/1, 45/1, 2345/100), as it appears in the file.
var GPSLatitude = func() []byte {
	var b []byte
	for _, v := range []uint32{13, 1, 45, 1, 2345, 100} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}()

// ExifJPEG returns a w×h JPEG (a gradient encoded with image/jpeg) that
// starts, after SOI, with an APP1 "Exif\0\0" segment: a big-endian TIFF
// header, IFD0 with one GPSInfo pointer, and a GPS IFD holding
// GPSLatitudeRef "N", GPSLatitude (GPSLatitude) and GPSMapDatum
// (GPSMarker).
func ExifJPEG(w, h int) []byte { return ExifJPEGOriented(w, h, 0) }

// ExifJPEGOriented is ExifJPEG whose IFD0 also carries the EXIF
// Orientation o (1–8) when o is not 0. The gradient is red along x and
// green along y, so a test can tell how the pixels were turned.
func ExifJPEGOriented(w, h, o int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x * y) % 256), 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	be := binary.BigEndian
	entry := func(b []byte, tag, typ uint16, count, value uint32) []byte {
		b = be.AppendUint16(b, tag)
		b = be.AppendUint16(b, typ)
		b = be.AppendUint32(b, count)
		return be.AppendUint32(b, value)
	}
	marker := append([]byte(GPSMarker), 0)
	n0 := uint32(1)
	if o != 0 {
		n0 = 2
	}
	gpsIFD := 8 + 2 + 12*n0 + 4     // after the header and IFD0
	latOff := gpsIFD + 2 + 3*12 + 4 // after the GPS IFD
	datumOff := latOff + 24
	tiff := []byte("MM")
	tiff = be.AppendUint16(tiff, 42)
	tiff = be.AppendUint32(tiff, 8)
	tiff = be.AppendUint16(tiff, uint16(n0))
	if o != 0 {
		tiff = entry(tiff, 0x0112, 3, 1, uint32(o)<<16) // Orientation, SHORT
	}
	tiff = entry(tiff, 0x8825, 4, 1, gpsIFD) // GPSInfo, LONG
	tiff = be.AppendUint32(tiff, 0)
	tiff = be.AppendUint16(tiff, 3)
	tiff = entry(tiff, 0x0001, 2, 2, 'N'<<24)                    // GPSLatitudeRef, ASCII "N\0"
	tiff = entry(tiff, 0x0002, 5, 3, latOff)                     // GPSLatitude, RATIONAL×3
	tiff = entry(tiff, 0x0012, 2, uint32(len(marker)), datumOff) // GPSMapDatum, ASCII
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, GPSLatitude...)
	tiff = append(tiff, marker...)
	app1 := []byte{0xFF, 0xE1}
	app1 = be.AppendUint16(app1, uint16(2+6+len(tiff)))
	app1 = append(app1, "Exif\x00\x00"...)
	app1 = append(app1, tiff...)
	out := []byte{0xFF, 0xD8}
	out = append(out, app1...)
	return append(out, enc.Bytes()[2:]...)
}
