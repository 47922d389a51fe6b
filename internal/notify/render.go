package notify

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/tidtam/tidtam/internal/thaidate"
)

// templateFS holds one file per language and kind, templates/<lang>/<kind>.tmpl,
// defining "subject", "text" and "html", plus templates/<lang>/_common.tmpl
// with the blocks they share. Each file is parsed twice: by text/template
// for the subject and the plain-text body, by html/template (contextual
// escaping) for the HTML body.
//
//go:embed templates/*/*.tmpl
var templateFS embed.FS

// Message is a rendered notification: a one-line subject and the same
// content as plain text and as an HTML document.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// ErrUnknownTemplate is returned by Render for a template name (kind) that
// has no templates; retrying cannot help.
var ErrUnknownTemplate = errors.New("notify: no template for this notification kind")

type templatePair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates maps language, then kind, to the parsed templates. Parsed once
// at start-up: the files are embedded, so a parse error is a programming
// error that must stop the binary (and fails the package's tests).
var templates = mustParseTemplates()

func mustParseTemplates() map[string]map[string]templatePair {
	out := map[string]map[string]templatePair{}
	for _, lang := range []string{LangThai, LangEnglish} {
		out[lang] = map[string]templatePair{}
		common := "templates/" + lang + "/_common.tmpl"
		for _, kind := range Kinds {
			file := "templates/" + lang + "/" + kind + ".tmpl"
			tt, err := texttemplate.New(kind).Funcs(textFuncs).Option("missingkey=zero").ParseFS(templateFS, common, file)
			if err != nil {
				panic(fmt.Sprintf("notify: parse %s: %v", file, err))
			}
			ht, err := htmltemplate.New(kind).Funcs(htmlFuncs).Option("missingkey=zero").ParseFS(templateFS, common, file)
			if err != nil {
				panic(fmt.Sprintf("notify: parse %s as HTML: %v", file, err))
			}
			for _, name := range []string{"subject", "text", "html"} {
				if tt.Lookup(name) == nil {
					panic(fmt.Sprintf("notify: %s does not define %q", file, name))
				}
			}
			out[lang][kind] = templatePair{text: tt, html: ht}
		}
	}
	return out
}

// HasTemplate reports whether kind can be rendered.
func HasTemplate(kind string) bool {
	_, ok := templates[LangThai][kind]
	return ok
}

// view is what the templates see: D holds every scalar of the notification
// data as a string (a missing key reads as ""), Items a digest's list, Link
// the absolute URL the message points to.
type view struct {
	D     map[string]string
	Items []map[string]string
	Link  string
}

// Render renders the templates of kind in lang (Thai for anything but
// "en") with data, the decoded JSON object of a notification, linking to
// pages under publicURL. An unknown kind is ErrUnknownTemplate.
func Render(kind, lang string, data map[string]any, publicURL string) (Message, error) {
	if lang != LangEnglish {
		lang = LangThai
	}
	pair, ok := templates[lang][kind]
	if !ok {
		return Message{}, fmt.Errorf("%w: %q", ErrUnknownTemplate, kind)
	}
	v := view{D: map[string]string{}}
	for k, val := range data {
		if k == DataItems {
			v.Items = itemsOf(val)
			continue
		}
		v.D[k] = scalarString(val)
	}
	v.Link = LinkFor(v.D, publicURL)

	var subject, text, html bytes.Buffer
	if err := pair.text.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Message{}, fmt.Errorf("notify: render %s/%s subject: %w", lang, kind, err)
	}
	if err := pair.text.ExecuteTemplate(&text, "text", v); err != nil {
		return Message{}, fmt.Errorf("notify: render %s/%s text: %w", lang, kind, err)
	}
	// html/template clones are not needed: ExecuteTemplate is safe for
	// concurrent use once parsing is done.
	if err := pair.html.ExecuteTemplate(&html, "html", v); err != nil {
		return Message{}, fmt.Errorf("notify: render %s/%s html: %w", lang, kind, err)
	}
	return Message{
		Subject: oneLine(subject.String()),
		Text:    tidyText(text.String()),
		HTML:    strings.TrimSpace(html.String()) + "\n",
	}, nil
}

// DecodeData decodes a notification's Data column. Empty text is an empty
// object.
func DecodeData(raw string) (map[string]any, error) {
	out := map[string]any{}
	if strings.TrimSpace(raw) == "" {
		return out, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("notify: notification data is not a JSON object: %w", err)
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

// LinkFor returns the absolute URL a notification points to: data's
// DataLink when set (an absolute http(s) URL, or a path under publicURL),
// else the assignment, directive or meeting page, else the inbox. The page
// paths are /assignments/{id}, /directives/{id}, /meetings/{id} and
// /inbox under publicURL, each ID path-escaped.
func LinkFor(data map[string]string, publicURL string) string {
	base := strings.TrimRight(publicURL, "/")
	if l := strings.TrimSpace(data[DataLink]); l != "" {
		if u, err := url.Parse(l); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			return l
		}
		return base + "/" + strings.TrimLeft(l, "/")
	}
	switch {
	case data[DataAssignmentID] != "":
		return base + "/assignments/" + url.PathEscape(data[DataAssignmentID])
	case data[DataDirectiveID] != "":
		return base + "/directives/" + url.PathEscape(data[DataDirectiveID])
	case data[DataMeetingID] != "":
		return base + "/meetings/" + url.PathEscape(data[DataMeetingID])
	}
	return base + "/inbox"
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = scalarString(e)
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(x, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func itemsOf(v any) []map[string]string {
	var out []map[string]string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				row := map[string]string{}
				for k, val := range m {
					row[k] = scalarString(val)
				}
				out = append(out, row)
			}
		}
	case []map[string]string:
		out = x
	case []map[string]any:
		for _, m := range x {
			row := map[string]string{}
			for k, val := range m {
				row[k] = scalarString(val)
			}
			out = append(out, row)
		}
	}
	return out
}

var spaceRun = regexp.MustCompile(`\s+`)

// oneLine makes a subject a single line: a newline in a header would end
// it (or inject another one).
func oneLine(s string) string {
	return strings.TrimSpace(spaceRun.ReplaceAllString(s, " "))
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText trims trailing spaces of each line and collapses runs of blank
// lines the template layout leaves behind, so the text part reads cleanly.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")) + "\n"
}

// ---- template functions ----

var textFuncs = texttemplate.FuncMap{
	"dateBE":     dateBE,
	"dateTimeBE": dateTimeBE,
	"dateEN":     dateEN,
	"dateTimeEN": dateTimeEN,
	"urgencyTH":  func(s string) string { return labelOr(urgencyTH, s) },
	"urgencyEN":  func(s string) string { return labelOr(urgencyEN, s) },
	"actionTH":   func(s string) string { return labelOr(actionTH, s) },
	"actionEN":   func(s string) string { return labelOr(actionEN, s) },
	"add":        func(a, b int) int { return a + b },
}

var htmlFuncs = htmltemplate.FuncMap(textFuncs)

var urgencyTH = map[string]string{
	"most_urgent": "ด่วนที่สุด", "very_urgent": "ด่วนมาก", "urgent": "ด่วน", "normal": "ปกติ",
}

var urgencyEN = map[string]string{
	"most_urgent": "most urgent", "very_urgent": "very urgent", "urgent": "urgent", "normal": "normal",
}

var actionTH = map[string]string{
	"comment": "ให้ความเห็น", "new_deadline": "กำหนดวันครบกำหนดใหม่", "extend": "ขยายระยะเวลา",
	"close": "ปิดเรื่อง", "waive": "ยกเว้นการรายงาน",
}

var actionEN = map[string]string{
	"comment": "comment", "new_deadline": "new deadline", "extend": "extension",
	"close": "closed", "waive": "waived",
}

func labelOr(labels map[string]string, code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

// parseInstant reads an RFC 3339 instant or a YYYY-MM-DD date; dateOnly
// tells which.
func parseInstant(s string) (t time.Time, dateOnly bool, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, true
	}
	if t, err := time.ParseInLocation("2006-01-02", s, thaidate.Bangkok); err == nil {
		return t, true, true
	}
	return time.Time{}, false, false
}

// dateBE formats an instant or date as its Bangkok civil date in the
// Buddhist Era ("17 ธันวาคม 2567"); text it cannot read is returned as is.
func dateBE(s string) string {
	t, _, ok := parseInstant(s)
	if !ok {
		return s
	}
	return thaidate.FormatBE(thaidate.FromTime(t))
}

// dateTimeBE formats an instant as "17 ธ.ค. 2567 เวลา 13:30 น." (Bangkok)
// and a date like dateBE.
func dateTimeBE(s string) string {
	t, dateOnly, ok := parseInstant(s)
	if !ok {
		return s
	}
	if dateOnly {
		return thaidate.FormatBE(thaidate.FromTime(t))
	}
	return thaidate.FormatDateTimeBE(t)
}

// dateEN formats a date for English text with its Buddhist Era year first,
// as Thai government English does: "17 December B.E. 2567 (2024)".
func dateEN(s string) string {
	t, _, ok := parseInstant(s)
	if !ok {
		return s
	}
	d := thaidate.FromTime(t)
	return fmt.Sprintf("%d %s B.E. %d (%d)", d.Day, d.Month, thaidate.YearBE(d), d.Year)
}

// dateTimeEN is dateEN plus the Bangkok time: "17 December B.E. 2567
// (2024), 13:30".
func dateTimeEN(s string) string {
	t, dateOnly, ok := parseInstant(s)
	if !ok || dateOnly {
		return dateEN(s)
	}
	t = t.In(thaidate.Bangkok)
	return fmt.Sprintf("%s, %02d:%02d", dateEN(s), t.Hour(), t.Minute())
}
