package workqueue

// The parts the patients' pages share (a message's link, a payment
// link): one look, and one date-of-birth form, whose problem is
// .ProblemText and which writes nothing entered back into the page.
const (
	// patientHead opens a page; the template names its own title.
	patientHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{if .ProblemText}}Error: {{end}}{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;font-size:1.125rem;line-height:1.5;margin:0;padding:1rem;color:#1b1b1b;background:#fff}
main{max-width:34rem;margin:0 auto}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:700;font-size:1.25rem}
.date{display:flex;gap:1rem;flex-wrap:wrap}
label{display:block}
input{font:inherit;padding:.4rem;border:2px solid #1b1b1b;width:3.5rem}
input.year{width:5rem}
input.amount{width:8rem}
input:focus,button:focus,a:focus{outline:3px solid #fd0;outline-offset:0}
[aria-invalid=true]{border-color:#b00020}
.hint{color:#505a5f;margin:.25rem 0 .75rem}
.error{color:#b00020;font-weight:700;margin:.25rem 0 .75rem}
.due{font-size:2rem;font-weight:700;margin:.5rem 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
button{font:inherit;padding:.5rem 1.25rem;border:0;background:#00703c;color:#fff;cursor:pointer}
</style></head><body><main>`

	// birthDateFields asks for the date of birth.
	birthDateFields = `<fieldset role="group" aria-describedby="dob-hint{{if .ProblemText}} dob-error{{end}}">
<legend>Date of birth</legend>
<p id="dob-hint" class="hint">For example, 3 27 1984</p>
{{- if .ProblemText}}
<p id="dob-error" class="error" role="alert"><span class="visually-hidden">Error: </span>{{.ProblemText}}</p>
{{- end}}
<div class="date">
<div><label for="dob-month">Month</label>
<input id="dob-month" name="month" inputmode="numeric" pattern="[0-9]*" maxlength="2" autocomplete="bday-month"{{if .ProblemText}} aria-invalid="true"{{end}}></div>
<div><label for="dob-day">Day</label>
<input id="dob-day" name="day" inputmode="numeric" pattern="[0-9]*" maxlength="2" autocomplete="bday-day"{{if .ProblemText}} aria-invalid="true"{{end}}></div>
<div><label for="dob-year">Year</label>
<input id="dob-year" class="year" name="year" inputmode="numeric" pattern="[0-9]*" maxlength="4" autocomplete="bday-year"{{if .ProblemText}} aria-invalid="true"{{end}}></div>
</div>
</fieldset>
<button type="submit">Continue</button>`

	// patientEnd closes a page's chain of states with the ones both pages
	// share: locked, failed, and the one neutral page of a link that does
	// not work, whatever the reason.
	patientEnd = `{{- else if eq .State "locked"}}
<h1>This link is locked</h1>
<p>The date of birth did not match too many times. Call your dental office and they will help you.</p>
{{- else if eq .State "error"}}
<h1>Something went wrong</h1>
<p>Try again in a few minutes, or call your dental office.</p>
{{- else}}
<h1>This link does not work</h1>
<p>It may have expired. Call your dental office and they will help you.</p>
{{- end}}
</main></body></html>
`
)
