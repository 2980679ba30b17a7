package statement

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// Render checks s and writes it to w as a PDF of one or more US Letter
// pages. A statement with problems is refused with an *InvalidError and
// nothing is written.
func Render(w io.Writer, s Statement) error {
	pdf, _, err := render(s)
	if err != nil {
		return err
	}
	if _, err := w.Write(pdf); err != nil {
		return fmt.Errorf("statement: writing the PDF: %w", err)
	}
	return nil
}

// render checks s and returns its PDF and how many pages it has.
func render(s Statement) (pdf []byte, pages int, err error) {
	if err := check(s); err != nil {
		return nil, 0, err
	}
	d := &drawer{s: s, t: s.Totals(), f: newPDF(s)}
	d.draw()
	if d.err != nil {
		return nil, 0, d.err
	}
	pages = d.f.PageNo()
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, 0, fmt.Errorf("statement: building the PDF: %w", err)
	}
	return buf.Bytes(), pages, nil
}

// pageAlias stands for the statement's page count until the PDF is
// written. It holds control characters, which no text Problems accepts
// can, so that fpdf replaces nothing else.
const pageAlias = "\x1bpages\x1b"

// newPDF starts an empty document for s: inches, no automatic page
// breaks, and dated the statement's date, so that the same statement
// always makes the same bytes. Its metadata carry nothing about the
// guarantor.
func newPDF(s Statement) *fpdf.Fpdf {
	f := fpdf.New("P", "in", "Letter", "")
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.AliasNbPages(pageAlias)
	f.SetProducer("Backdesk", false)
	at := s.StatementDate.Time()
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	return f
}

// errUnprintable is the error for text the fonts cannot print, which
// Problems refuses first.
var errUnprintable = errors.New("statement: a text field has a character the font cannot print")

// drawer draws one statement. Its cursor y is the top of the next row on
// the current page, in inches.
type drawer struct {
	f *fpdf.Fpdf
	s Statement
	t Totals
	y float64
	// summaryTop is where page 1's account summary starts; the pay-by-link
	// code stands beside it.
	summaryTop float64
	err        error // the first failure; drawing stops at it
	// header redraws the column headings of the table being drawn at the
	// top of a continuation page; nil between tables.
	header func()
}

// fail records err unless an earlier failure is recorded.
func (d *drawer) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// draw draws the whole statement: the stub, the body of page 1, and the
// detail over as many pages as it takes.
func (d *drawer) draw() {
	d.f.AddPage()
	d.footer()
	d.stub()
	d.letterhead()
	d.summary()
	d.payOnline()
	d.aging()
	d.activity()
	d.pending()
	if err := d.f.Error(); err != nil {
		d.fail(fmt.Errorf("statement: drawing: %w", err))
	}
}

// font selects Helvetica in style ("" or "B") at size points.
func (d *drawer) font(style string, size float64) { d.f.SetFont("Helvetica", style, size) }

// enc is s in the fonts' character set; Problems has already refused
// what cannot be printed.
func (d *drawer) enc(s string) string {
	out, ok := winAnsi(s)
	if !ok {
		d.fail(errUnprintable)
	}
	return out
}

// width is how wide s is in the current font, in inches.
func (d *drawer) width(s string) float64 { return d.f.GetStringWidth(d.enc(s)) }

// text draws s with its baseline's left end at (x, y).
func (d *drawer) text(x, y float64, s string) {
	if s == "" {
		return
	}
	d.f.Text(x, y, d.enc(s))
}

// right draws s with its baseline's right end at (x, y).
func (d *drawer) right(x, y float64, s string) { d.text(x-d.width(s), y, s) }

// center draws s centred on x.
func (d *drawer) center(x, y float64, s string) { d.text(x-d.width(s)/2, y, s) }

// fit selects Helvetica in style at size points, or smaller down to
// sizeMin, so that s is at most w inches wide; at sizeMin it may still be
// wider, which Problems' limits keep from happening.
func (d *drawer) fit(s, style string, size, w float64) {
	for ; size > sizeMin; size -= 0.5 {
		d.font(style, size)
		if d.width(s) <= w {
			return
		}
	}
	d.font(style, sizeMin)
}

// rule draws a thin horizontal line from x1 to x2 at y.
func (d *drawer) rule(x1, x2, y float64) {
	d.f.SetLineWidth(0.01)
	d.f.Line(x1, y, x2, y)
}

// addressLines are the lines of a mailing address under a name.
func addressLines(name string, a Address) []string {
	lines := []string{name, a.Line1}
	if strings.TrimSpace(a.Line2) != "" {
		lines = append(lines, a.Line2)
	}
	return append(lines, a.City+", "+a.State+" "+a.PostalCode)
}

// window draws lines inside window r, kept windowInset from its edges:
// the first line bold, all in the largest size from size down to sizeMin
// at which every line fits. It fails, drawing nothing, when they fit at
// no size; Problems' limits keep that from happening.
func (d *drawer) window(r rect, lines []string, size float64, which string) {
	in := r.inset(windowInset)
	style := func(i int) string {
		if i == 0 {
			return "B"
		}
		return ""
	}
	fits := func(sz float64) bool {
		for i, l := range lines {
			d.font(style(i), sz)
			if d.width(l) > in.w {
				return false
			}
		}
		return ascent(sz)+float64(len(lines)-1)*leading(sz)+descent(sz) <= in.h
	}
	for !fits(size) {
		if size -= 0.5; size < sizeMin {
			d.fail(fmt.Errorf("statement: the %s does not fit the envelope's window", which))
			return
		}
	}
	y := in.y + ascent(size)
	for i, l := range lines {
		d.font(style(i), size)
		d.text(in.x, y, l)
		y += leading(size)
	}
}

// stub draws the remittance stub above the first fold: the remit-to
// address in the upper window, the guarantor's in the lower, and right of
// both what the practice needs back with a payment.
func (d *drawer) stub() {
	s := d.s
	d.window(upperWindow, addressLines(s.Practice.Name, s.Practice.remitTo()), sizeBody, "remit-to address")
	d.window(lowerWindow, addressLines(s.Guarantor.Name, s.Guarantor.Address), sizeName, "mailing address")

	y := upperTop + 0.2
	d.font("B", sizeTitle)
	d.text(stubX, y, "STATEMENT")
	y += 0.35
	for _, row := range [][2]string{
		{"Statement date", FormatDate(s.StatementDate)},
		{"Account number", s.AccountNumber},
		{"Please pay by", FormatDate(s.DueDate)},
	} {
		d.font("", sizeBody)
		d.text(stubX, y, row[0])
		d.fit(row[1], "B", sizeBody, rightX-stubX-d.width(row[0])-0.15)
		d.right(rightX, y, row[1])
		y += 0.22
	}
	y += 0.08
	d.font("B", 11)
	d.text(stubX, y, "Amount due")
	d.right(rightX, y, FormatCents(d.t.DueCents))

	y += 0.45
	d.font("", sizeBody)
	d.text(stubX, y, "Amount enclosed")
	d.f.SetLineWidth(0.015)
	d.f.Rect(stubX+1.3, y-0.22, rightX-stubX-1.3, 0.32, "D")
	d.text(stubX+1.38, y, "$")

	d.font("", sizeSmall)
	d.text(stubX, y+0.45, "Write your account number on your check.")
	d.text(marginX, foldY-0.2, "Please detach and return the top portion with your payment.")
	d.f.SetDashPattern([]float64{0.06, 0.04}, 0)
	d.rule(0.25, pageWidth-0.25, foldY)
	d.f.SetDashPattern(nil, 0)
}

// letterhead draws the practice's name, address, phone and hours below
// the fold, with the account and page number beside them.
func (d *drawer) letterhead() {
	p := d.s.Practice
	top := bodyTop + 0.15
	x := stubX + 0.5 // the right-hand column: account, date, page
	account := "Account " + d.s.AccountNumber
	d.fit(account, "B", 10, rightX-x)
	d.text(x, top, account)
	d.font("", sizeBody)
	d.text(x, top+leading(sizeBody)+0.02, "Statement date "+FormatDate(d.s.StatementDate))
	d.pageLabel(x, top+2*leading(sizeBody)+0.02, 1)

	// The name and address keep left of that column; the phone and hours,
	// below it, may take the page's width.
	d.fit(p.Name, "B", 13, x-marginX-0.2)
	d.text(marginX, top, p.Name)
	y := top
	d.font("", sizeBody)
	for _, l := range addressLines("", p.Address)[1:] {
		y += leading(sizeBody)
		d.text(marginX, y, l)
	}
	for _, l := range []string{"Phone " + p.Phone, "Hours " + p.Hours} {
		y += leading(sizeBody)
		d.fit(l, "", sizeBody, rightX-marginX)
		d.text(marginX, y, l)
	}
	d.y = y + 0.1
}

// pageLabel draws "Page n of" the statement's page count at (x, y).
func (d *drawer) pageLabel(x, y float64, n int) {
	d.f.Text(x, y, d.enc(fmt.Sprintf("Page %d of ", n))+pageAlias)
}

// summaryRight is the right edge of the account summary's amounts.
const summaryRight = 4.4

// summary draws the account summary on page 1: how the balance came to
// be, the insurance pending taken out of it, and the amount due now.
func (d *drawer) summary() {
	t := d.t
	d.summaryTop = d.y
	y := d.y + 0.15
	d.font("B", 10)
	d.text(marginX, y, "Account summary")
	y += 0.06
	row := func(label string, cents int64, style string, size float64) {
		y += leading(size) + 0.01
		d.font(style, size)
		d.text(marginX, y, label)
		d.right(summaryRight, y, FormatCents(cents))
	}
	row("Previous balance", t.BalanceForwardCents, "", sizeBody)
	row("New charges", t.ChargesCents, "", sizeBody)
	row("Insurance payments and adjustments", t.InsuranceCents, "", sizeBody)
	row("Your payments", t.PatientCents, "", sizeBody)
	d.rule(marginX, summaryRight, y+0.06)
	y += 0.04
	row("Account balance", t.BalanceCents, "B", sizeBody)
	row("Less insurance pending (not due from you now)", -t.PendingCents, "", sizeBody)
	d.rule(marginX, summaryRight, y+0.06)
	y += 0.06
	row("Amount due now", t.DueCents, "B", 11)
	y += leading(sizeBody) + 0.02
	d.font("", sizeBody)
	if t.DueCents == 0 {
		d.text(marginX, y, "No payment is due now.")
	} else {
		d.text(marginX, y, "Please pay by "+FormatDate(d.s.DueDate))
	}
	d.y = y + 0.1
}

// payColumn is the centre of the pay-by-link column, right of the
// summary.
const payColumn = (summaryRight + rightX) / 2

// payOnline draws the pay-by-link QR code, with the URL under it, beside
// the account summary.
func (d *drawer) payOnline() {
	top := d.summaryTop + 0.15
	d.font("B", 10)
	d.center(payColumn, top, "Pay online")
	x := payColumn - qrSize/2
	if err := drawQR(d.f, d.s.PayURL, x, top+0.1, qrSize); err != nil {
		d.fail(err)
		return
	}
	d.font("", sizeSmall)
	y := top + 0.1 + qrSize + 0.18
	for _, l := range wrapURL(d.s.PayURL, d.width, rightX-summaryRight-0.2) {
		d.center(payColumn, y, l)
		y += leading(sizeSmall)
	}
	d.y = max(d.y, y)
}

// wrapURL splits u into lines at most w wide, after a "/", "?", "&" or
// "=" where it can and anywhere when it must.
func wrapURL(u string, width func(string) float64, w float64) []string {
	var lines []string
	for u != "" {
		if width(u) <= w {
			return append(lines, u)
		}
		n := 1
		for n < len(u) && width(u[:n+1]) <= w {
			n++
		}
		if i := strings.LastIndexAny(u[:n], "/?&="); i > 0 && i+1 < n {
			n = i + 1
		}
		lines = append(lines, u[:n])
		u = u[n:]
	}
	return lines
}

// aging draws the balance by age in a row of five boxes: the four buckets
// and the account balance.
func (d *drawer) aging() {
	a := d.s.Aging
	y := d.y + 0.1
	d.font("B", 10)
	d.text(marginX, y, "Your balance by age")
	y += 0.1
	cells := [][2]string{
		{"Current (0–30 days)", FormatCents(a.CurrentCents)},
		{"31–60 days", FormatCents(a.Days31Cents)},
		{"61–90 days", FormatCents(a.Days61Cents)},
		{"Over 90 days", FormatCents(a.Over90Cents)},
		{"Account balance", FormatCents(d.t.BalanceCents)},
	}
	w := (rightX - marginX) / float64(len(cells))
	d.f.SetLineWidth(0.01)
	for i, c := range cells {
		x := marginX + float64(i)*w
		d.f.Rect(x, y, w, 0.45, "D")
		d.font("", sizeSmall)
		d.center(x+w/2, y+0.16, c[0])
		d.font("B", 10)
		d.center(x+w/2, y+0.36, c[1])
	}
	d.y = y + 0.45 + 0.05
}

// The activity table's columns, in inches: left edges of the text
// columns, right edges of the amounts.
const (
	colDate      = marginX
	colDesc      = marginX + 0.95
	descWidth    = 2.95
	colCharge    = 5.45
	colInsurance = 6.85
	colPatient   = rightX
	rowHeight    = 0.17
	rowBaseline  = 0.125 // from a row's top
)

// newPage ends the current page and starts a continuation page with the
// small header: the practice, the account number and the page number.
// The table being drawn, if any, repeats its column headings.
func (d *drawer) newPage() {
	d.f.AddPage()
	d.footer()
	d.font("", sizeSmall)
	page := rightX - d.width("Page 999 of 999") // room for any count
	d.pageLabel(page, 0.5, d.f.PageNo())
	d.fit(d.s.Practice.Name, "B", sizeSmall, page-marginX-0.2)
	d.text(marginX, 0.5, d.s.Practice.Name)
	d.font("", sizeSmall)
	d.text(marginX, 0.5+leading(sizeSmall), "Account "+d.s.AccountNumber+" · Statement date "+FormatDate(d.s.StatementDate))
	d.rule(marginX, rightX, 0.72)
	d.y = contTop
	if d.header != nil {
		d.header()
	}
}

// footer draws the practice's phone and hours at the foot of the page.
func (d *drawer) footer() {
	s := "Questions? Call " + d.s.Practice.Phone + ", " + d.s.Practice.Hours + "."
	d.fit(s, "", sizeSmall, rightX-marginX)
	d.text(marginX, footerY, s)
}

// need starts a continuation page unless h inches fit above bottomY.
func (d *drawer) need(h float64) {
	if d.y+h > bottomY {
		d.newPage()
	}
}

// heading draws a section heading and, under it, a note in small type,
// keeping both with the first keep inches of the section.
func (d *drawer) heading(title, note string, keep float64) {
	h := 0.25
	if note != "" {
		h += 0.17
	}
	d.need(h + keep)
	d.y += 0.1
	d.font("B", 10)
	d.text(marginX, d.y+0.1, title)
	d.y += 0.17
	if note != "" {
		d.font("", sizeSmall)
		d.text(marginX, d.y+0.1, note)
		d.y += 0.17
	}
}

// activity draws the itemised charges, insurance payments and
// adjustments, and patient payments, with their totals.
func (d *drawer) activity() {
	header := func() {
		d.font("B", sizeSmall)
		b := d.y + rowBaseline
		d.text(colDate, b, "Date")
		d.text(colDesc, b, "Description")
		d.right(colCharge, b, "Charges")
		d.right(colInsurance, b, "Insurance paid / adj.")
		d.right(colPatient, b, "Patient paid")
		d.rule(marginX, rightX, d.y+rowHeight+0.02)
		d.y += rowHeight + 0.05
	}
	d.heading("Account activity", "", 2*rowHeight+0.05)
	header()
	d.header = header
	if len(d.s.Lines) == 0 {
		d.font("", sizeBody)
		d.text(colDesc, d.y+rowBaseline, "No activity since your last statement.")
		d.y += rowHeight
	}
	for _, l := range d.s.Lines {
		d.font("", sizeBody)
		desc := wrapWords(l.Description, d.width, descWidth)
		d.need(float64(len(desc)) * rowHeight)
		d.font("", sizeBody) // a new page's headings leave theirs
		b := d.y + rowBaseline
		d.text(colDate, b, FormatDate(l.Date))
		for i, part := range desc {
			d.text(colDesc, b+float64(i)*rowHeight, part)
		}
		d.right(colCharge, b, amount(l.ChargeCents))
		d.right(colInsurance, b, amount(l.InsuranceCents))
		d.right(colPatient, b, amount(l.PatientCents))
		d.y += float64(len(desc)) * rowHeight
	}
	d.need(rowHeight + 0.05)
	d.rule(marginX, rightX, d.y+0.02)
	d.y += 0.05
	b := d.y + rowBaseline
	d.font("B", sizeBody)
	d.text(colDesc, b, "Totals")
	d.right(colCharge, b, FormatCents(d.t.ChargesCents))
	d.right(colInsurance, b, FormatCents(d.t.InsuranceCents))
	d.right(colPatient, b, FormatCents(d.t.PatientCents))
	d.y += rowHeight
	d.header = nil
}

// amount is c formatted, or "" for zero: a line's empty columns stay
// empty.
func amount(c int64) string {
	if c == 0 {
		return ""
	}
	return FormatCents(c)
}

// pending draws the claims the insurance has not paid yet, apart from the
// activity and said not to be due now. It draws nothing when there are
// none.
func (d *drawer) pending() {
	if len(d.s.Pending) == 0 {
		return
	}
	const colPayer = colDesc
	header := func() {
		d.font("B", sizeSmall)
		b := d.y + rowBaseline
		d.text(colDate, b, "Date of service")
		d.text(colPayer, b, "Insurance")
		d.right(rightX, b, "Expected from insurance")
		d.rule(marginX, rightX, d.y+rowHeight+0.02)
		d.y += rowHeight + 0.05
	}
	d.heading("Insurance pending",
		"Claims sent to your insurance and not yet paid. These amounts are not part of the amount due now.",
		2*rowHeight+0.05)
	header()
	d.header = header
	for _, p := range d.s.Pending {
		d.need(rowHeight)
		b := d.y + rowBaseline
		d.font("", sizeBody)
		d.text(colDate, b, FormatDate(p.Date))
		d.text(colPayer, b, p.Payer)
		d.right(rightX, b, FormatCents(p.EstimateCents))
		d.y += rowHeight
	}
	d.need(rowHeight + 0.05)
	d.rule(marginX, rightX, d.y+0.02)
	d.y += 0.05
	d.font("B", sizeBody)
	d.text(colPayer, d.y+rowBaseline, "Total insurance pending")
	d.right(rightX, d.y+rowBaseline, FormatCents(d.t.PendingCents))
	d.y += rowHeight
	d.header = nil
}

// wrapWords splits s into lines at most w wide, between words where it
// can and inside a word too long for a line.
func wrapWords(s string, width func(string) float64, w float64) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		next := word
		if line != "" {
			next = line + " " + word
		}
		if width(next) <= w {
			line = next
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = word
		for width(line) > w {
			n := len(line) - 1
			for n > 1 && width(line[:n]) > w {
				n--
			}
			for n > 1 && !utf8RuneStart(line[n]) {
				n--
			}
			lines = append(lines, line[:n])
			line = line[n:]
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// utf8RuneStart reports whether b begins a UTF-8 sequence.
func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
