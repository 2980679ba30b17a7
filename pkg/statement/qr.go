package statement

import (
	"errors"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// errQR is the error for a pay URL that makes no QR code; it does not
// quote the URL.
var errQR = errors.New("statement: the pay URL does not make a QR code")

// drawQR draws content as a QR code of medium error correction, size
// inches square with its top-left corner at (x, y), in vector: one filled
// rectangle per run of dark modules in a row, so it prints sharp at any
// resolution. The quiet zone of four modules the code needs around it is
// inside size.
func drawQR(f *fpdf.Fpdf, content string, x, y, size float64) error {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return errQR
	}
	bits := q.Bitmap() // quiet zone included
	m := size / float64(len(bits))
	f.SetFillColor(0, 0, 0)
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			f.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m, "F")
		}
	}
	return nil
}
