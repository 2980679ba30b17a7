package statement

// The page, in inches from its top-left corner: US Letter, tri-folded for
// a #10 double-window envelope (4 1/8 × 9 1/2 in). The top panel is the
// remittance stub, which shows through both windows; the itemised detail
// starts below the first fold.
const (
	pageWidth  = 8.5
	pageHeight = 11.0
	// foldY is the first fold, a third of the way down, where the stub
	// tears off; the second fold is at twice foldY.
	foldY = pageHeight / 3
	// marginX is the left and right margin of everything but the windows.
	marginX = 0.5
	// rightX is the right edge of the text.
	rightX = pageWidth - marginX
)

// The envelope's windows as they fall on the page, in inches from its
// top-left corner: the common #10 double-window positions. Nothing is
// printed inside them but the remit-to address (upper) and the mailing
// address (lower).
const (
	// upperLeft, upperTop, upperWidth and upperHeight are the upper
	// window, for the remit-to (return) address: 7/8 in from the left,
	// 1/2 in from the top, 3 1/2 × 1 in.
	upperLeft   = 0.875
	upperTop    = 0.5
	upperWidth  = 3.5
	upperHeight = 1.0
	// lowerLeft, lowerTop, lowerWidth and lowerHeight are the lower
	// window, for the guarantor's mailing address: 7/8 in from the left,
	// 2 in from the top (2 to 3 in), 4 × 1 in.
	lowerLeft   = 0.875
	lowerTop    = 2.0
	lowerWidth  = 4.0
	lowerHeight = 1.0
	// windowInset is how far inside each window the address is kept on
	// every side, so that the folded sheet's play in the envelope does
	// not hide its edges.
	windowInset = 0.125
)

// The rest of the stub and the body, in inches from the top of the page.
const (
	// stubX is the left edge of the stub's right-hand column (statement
	// date, account number, amount due, amount enclosed): right of both
	// windows.
	stubX = 5.0
	// bodyTop is where page 1's detail starts, below the first fold.
	bodyTop = foldY + 0.2
	// contTop is where a continuation page's detail starts, below its
	// small header.
	contTop = 1.0
	// bottomY is the lowest a line of detail may reach; the footer is
	// below it.
	bottomY = 10.4
	// footerY is the baseline of the footer with the practice's phone
	// and hours.
	footerY = 10.65
	// qrSize is the side of the pay-by-link QR code.
	qrSize = 1.25
)

// Type sizes, in points, and what they shrink to when a line must fit a
// window.
const (
	sizeBody   = 9.0
	sizeSmall  = 8.0
	sizeName   = 10.0 // the names in the windows
	sizeTitle  = 14.0
	sizeMin    = 5.5 // the smallest type a window's line shrinks to
	lineFactor = 1.25
)

// rect is an area of the page, in inches from its top-left corner.
type rect struct{ x, y, w, h float64 }

// The windows as rects, and the area inside each that the address keeps
// to.
var (
	upperWindow = rect{upperLeft, upperTop, upperWidth, upperHeight}
	lowerWindow = rect{lowerLeft, lowerTop, lowerWidth, lowerHeight}
)

// inset is r less d on every side.
func (r rect) inset(d float64) rect { return rect{r.x + d, r.y + d, r.w - 2*d, r.h - 2*d} }

// leading is the distance between baselines of type of size points, in
// inches.
func leading(size float64) float64 { return size * lineFactor / 72 }

// ascent and descent are how far Helvetica of size points may reach above
// and below its baseline, in inches: its font bounding box, 931 and 225
// thousandths of an em, so that accented capitals count.
func ascent(size float64) float64  { return size * 0.931 / 72 }
func descent(size float64) float64 { return size * 0.225 / 72 }
