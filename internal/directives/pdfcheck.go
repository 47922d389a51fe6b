package directives

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// This file checks that an uploaded ".pdf" is a PDF throughout, not only
// in its first bytes: a "%PDF-" header followed by an executable, HTML or
// anything else that is not PDF syntax is refused.
//
// Choice of parser: the maintained Go PDF library, pdfcpu, is not among
// the module versions approved for this project (its served copies are
// flagged as not approved releases), and the others need cgo, WebAssembly
// runtimes or a paid licence. So the check is a structural parser of our
// own over ISO 32000 §7 file syntax. It tokenises the whole file and
// accepts only: the header; indirect objects ("n g obj … endobj") whose
// values are PDF objects, with streams skipped by their /Length (or up to
// "endstream" when the length is an indirect reference); cross-reference
// tables; trailers; startxref; comments and white space; and nothing after
// the last %%EOF but white space. It then requires a trailer (or a
// cross-reference stream) whose /Root names a catalog object of the file
// (looking into Flate-compressed object streams for it), every startxref to
// point at a cross-reference table or stream (or be 0, the placeholder of
// linearized files), and %%EOF at the end. Content
// streams are not interpreted; a missing startxref is tolerated (readers
// rebuild the table, and simple generators omit it).

// pdfMaxDepth bounds the nesting of arrays and dictionaries.
const pdfMaxDepth = 64

// pdfMaxObjStm bounds the decompressed size of one object stream.
const pdfMaxObjStm = 64 << 20

var errPDF = errors.New("not a PDF")

func pdfErr(pos int64, format string, args ...any) error {
	return fmt.Errorf("%w: byte %d: %s", errPDF, pos, fmt.Sprintf(format, args...))
}

// pdfSrc reads a file through a ReaderAt with a window buffer, so the
// parser can look ahead and jump (streams) without loading the file.
type pdfSrc struct {
	r     io.ReaderAt
	size  int64
	pos   int64
	buf   []byte
	start int64 // file offset of buf[0]
}

func (s *pdfSrc) byteAt(off int64) (byte, bool) {
	if off < 0 || off >= s.size {
		return 0, false
	}
	if off < s.start || off >= s.start+int64(len(s.buf)) {
		n := int64(64 << 10)
		if off+n > s.size {
			n = s.size - off
		}
		if cap(s.buf) < int(n) {
			s.buf = make([]byte, n)
		}
		s.buf = s.buf[:n]
		if _, err := s.r.ReadAt(s.buf, off); err != nil && !errors.Is(err, io.EOF) {
			s.buf = s.buf[:0]
			return 0, false
		}
		s.start = off
	}
	return s.buf[off-s.start], true
}

func (s *pdfSrc) peek() (byte, bool) { return s.byteAt(s.pos) }

func (s *pdfSrc) hasPrefix(off int64, p string) bool {
	for i := range len(p) {
		if b, ok := s.byteAt(off + int64(i)); !ok || b != p[i] {
			return false
		}
	}
	return true
}

// index finds p at or after off, -1 if absent.
func (s *pdfSrc) index(p string, off int64) int64 {
	chunk := make([]byte, 256<<10)
	for off < s.size {
		n, err := s.r.ReadAt(chunk, off)
		if n == 0 && err != nil {
			return -1
		}
		if i := bytes.Index(chunk[:n], []byte(p)); i >= 0 {
			return off + int64(i)
		}
		if int64(n) < int64(len(chunk)) {
			return -1
		}
		off += int64(n - len(p) + 1)
	}
	return -1
}

func pdfSpace(b byte) bool {
	return b == 0 || b == '\t' || b == '\n' || b == '\f' || b == '\r' || b == ' '
}

func pdfDelim(b byte) bool {
	switch b {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// pdfTok is one token: kind is one of the pdfTok* constants; text the
// keyword, name or number as written.
type pdfTok struct {
	kind int
	text string
	pos  int64
}

const (
	pdfEOF = iota
	pdfKeyword
	pdfNumber
	pdfName
	pdfString
	pdfArrayOpen
	pdfArrayClose
	pdfDictOpen
	pdfDictClose
)

// pdfParser tokenises a pdfSrc and records what the checks need.
type pdfParser struct {
	s       *pdfSrc
	back    []pdfTok
	lastEOF int64 // end of the last "%%EOF" comment, -1 before one
	lastTok int64 // start of the last token read
	objects map[int64]bool
	catalog map[int64]bool
	xrefAt  map[int64]bool // offsets of "xref" keywords and XRef stream objects
	root    int64          // object number of the last /Root seen, -1 for none
	objStms [][2]int64     // data ranges of Flate object streams
	startx  []int64
	encrypt bool
}

// validPDF reports nil when the size bytes of r are a PDF file as
// described above, or an error wrapping errPDF saying where it is not.
func validPDF(r io.ReaderAt, size int64) error {
	s := &pdfSrc{r: r, size: size}
	if !s.hasPrefix(0, "%PDF-") {
		return pdfErr(0, "no %%PDF- header")
	}
	if v1, ok := s.byteAt(5); !ok || (v1 != '1' && v1 != '2') {
		return pdfErr(5, "unknown PDF version")
	}
	p := &pdfParser{s: s, lastEOF: -1, root: -1, objects: map[int64]bool{}, catalog: map[int64]bool{}, xrefAt: map[int64]bool{}}
	if err := p.body(); err != nil {
		return err
	}
	if p.lastEOF < 0 || p.lastTok > p.lastEOF {
		return pdfErr(size, "the file does not end with %%%%EOF")
	}
	if len(p.objects) == 0 {
		return pdfErr(size, "no objects")
	}
	for _, off := range p.startx {
		// 0 is the placeholder of linearized files' first-page trailer.
		if off != 0 && !p.xrefAt[off] {
			return pdfErr(off, "startxref does not point at a cross-reference table or stream")
		}
	}
	if p.root < 0 {
		return pdfErr(size, "no trailer with /Root")
	}
	if !p.catalog[p.root] && !p.encrypt {
		p.readObjStms()
	}
	if !p.catalog[p.root] && !(p.encrypt && len(p.objStms) > 0) {
		return pdfErr(size, "/Root %d is not a catalog object of the file", p.root)
	}
	return nil
}

// body reads the top level of the file until its end.
func (p *pdfParser) body() error {
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		switch {
		case t.kind == pdfEOF:
			return nil
		case t.kind == pdfNumber:
			if err := p.indirectObject(t); err != nil {
				return err
			}
		case t.kind == pdfKeyword && t.text == "xref":
			p.xrefAt[t.pos] = true
			if err := p.xrefTable(); err != nil {
				return err
			}
		case t.kind == pdfKeyword && t.text == "trailer":
			d, err := p.value(0)
			if err != nil {
				return err
			}
			dict, ok := d.(map[string]any)
			if !ok {
				return pdfErr(t.pos, "trailer is not a dictionary")
			}
			p.trailer(dict)
		case t.kind == pdfKeyword && t.text == "startxref":
			n, err := p.next()
			if err != nil {
				return err
			}
			off, perr := strconv.ParseInt(n.text, 10, 64)
			if n.kind != pdfNumber || perr != nil || off < 0 {
				return pdfErr(n.pos, "startxref without an offset")
			}
			p.startx = append(p.startx, off)
		default:
			return pdfErr(t.pos, "unexpected %q outside an object", clip(t.text, 16))
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// trailer records what a trailer or cross-reference stream dictionary
// says.
func (p *pdfParser) trailer(d map[string]any) {
	if ref, ok := d["Root"].(pdfRef); ok {
		p.root = ref.num
	}
	if _, ok := d["Encrypt"]; ok {
		p.encrypt = true
	}
}

// pdfRef is an indirect reference "num gen R".
type pdfRef struct{ num, gen int64 }

// indirectObject reads "num gen obj value [stream … endstream] endobj",
// num already read.
func (p *pdfParser) indirectObject(numTok pdfTok) error {
	num, err := strconv.ParseInt(numTok.text, 10, 64)
	if err != nil || num < 0 {
		return pdfErr(numTok.pos, "bad object number %q", clip(numTok.text, 16))
	}
	gen, err := p.next()
	if err != nil {
		return err
	}
	kw, err := p.next()
	if err != nil {
		return err
	}
	if gen.kind != pdfNumber || kw.kind != pdfKeyword || kw.text != "obj" {
		return pdfErr(numTok.pos, "expected \"%d 0 obj\"", num)
	}
	v, err := p.value(0)
	if err != nil {
		return err
	}
	p.objects[num] = true
	dict, isDict := v.(map[string]any)
	if isDict && dict["Type"] == pdfNameVal("Catalog") {
		p.catalog[num] = true
	}
	t, err := p.next()
	if err != nil {
		return err
	}
	if t.kind == pdfKeyword && t.text == "stream" {
		if !isDict {
			return pdfErr(t.pos, "stream without a dictionary")
		}
		from, to, err := p.stream(t, dict)
		if err != nil {
			return err
		}
		switch dict["Type"] {
		case pdfNameVal("XRef"):
			p.xrefAt[numTok.pos] = true
			p.trailer(dict)
		case pdfNameVal("ObjStm"):
			if dict["Filter"] == pdfNameVal("FlateDecode") && dict["DecodeParms"] == nil {
				p.objStms = append(p.objStms, [2]int64{from, to})
			}
		}
		if t, err = p.next(); err != nil {
			return err
		}
	}
	if t.kind != pdfKeyword || t.text != "endobj" {
		return pdfErr(t.pos, "object %d does not end with endobj", num)
	}
	return nil
}

// stream skips a stream's data after the "stream" keyword t and its
// "endstream", returning the data's range.
func (p *pdfParser) stream(t pdfTok, dict map[string]any) (int64, int64, error) {
	s := p.s
	start := t.pos + int64(len("stream"))
	if s.hasPrefix(start, "\r\n") {
		start += 2
	} else if s.hasPrefix(start, "\n") || s.hasPrefix(start, "\r") {
		start++
	} else {
		return 0, 0, pdfErr(start, "stream keyword not followed by an end of line")
	}
	endsAt := func(end int64) (int64, bool) {
		at := end
		for {
			b, ok := s.byteAt(at)
			if !ok || !pdfSpace(b) {
				break
			}
			at++
		}
		return at, s.hasPrefix(at, "endstream")
	}
	if n, ok := dict["Length"].(int64); ok && n >= 0 && start+n <= s.size {
		if at, ok := endsAt(start + n); ok {
			p.back = p.back[:0]
			s.pos = at + int64(len("endstream"))
			return start, start + n, nil
		}
	}
	at := s.index("endstream", start)
	if at < 0 {
		return 0, 0, pdfErr(start, "stream without endstream")
	}
	end := at
	if end > start && s.hasPrefix(end-1, "\n") {
		end--
		if end > start && s.hasPrefix(end-1, "\r") {
			end--
		}
	}
	p.back = p.back[:0]
	s.pos = at + int64(len("endstream"))
	return start, end, nil
}

// xrefTable reads the subsections of a cross-reference table up to, not
// including, the "trailer" keyword.
func (p *pdfParser) xrefTable() error {
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		if t.kind != pdfNumber {
			p.back = append(p.back, t)
			if t.kind != pdfKeyword || t.text != "trailer" {
				return pdfErr(t.pos, "cross-reference table not followed by trailer")
			}
			return nil
		}
		c, err := p.next()
		if err != nil {
			return err
		}
		count, cerr := strconv.ParseInt(c.text, 10, 64)
		if c.kind != pdfNumber || cerr != nil || count < 0 || count > p.s.size/18 {
			return pdfErr(c.pos, "bad cross-reference subsection")
		}
		for range count {
			off, err := p.next()
			if err != nil {
				return err
			}
			gen, err := p.next()
			if err != nil {
				return err
			}
			kind, err := p.next()
			if err != nil {
				return err
			}
			if off.kind != pdfNumber || gen.kind != pdfNumber || kind.kind != pdfKeyword || (kind.text != "n" && kind.text != "f") {
				return pdfErr(off.pos, "bad cross-reference entry")
			}
		}
	}
}

// pdfNameVal is a name object's value (without the slash).
type pdfNameVal string

// value reads one object: a number or reference, name, string, array,
// dictionary, true, false or null. Dictionaries come back as maps from
// key to value (names as pdfNameVal, integers as int64, references as
// pdfRef); other values only as far as the checks need them.
func (p *pdfParser) value(depth int) (any, error) {
	if depth > pdfMaxDepth {
		return nil, pdfErr(p.s.pos, "objects nested too deeply")
	}
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case pdfNumber:
		// "num gen R" is a reference.
		n1, err := p.next()
		if err != nil {
			return nil, err
		}
		if n1.kind == pdfNumber {
			r, err := p.next()
			if err != nil {
				return nil, err
			}
			if r.kind == pdfKeyword && r.text == "R" {
				num, e1 := strconv.ParseInt(t.text, 10, 64)
				gen, e2 := strconv.ParseInt(n1.text, 10, 64)
				if e1 != nil || e2 != nil {
					return nil, pdfErr(t.pos, "bad reference")
				}
				return pdfRef{num, gen}, nil
			}
			p.back = append(p.back, r, n1)
		} else {
			p.back = append(p.back, n1)
		}
		if i, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			return i, nil
		}
		return t.text, nil
	case pdfName:
		return pdfNameVal(t.text), nil
	case pdfString:
		return t.text, nil
	case pdfKeyword:
		switch t.text {
		case "true", "false", "null":
			return t.text, nil
		}
		return nil, pdfErr(t.pos, "unexpected %q in an object", clip(t.text, 16))
	case pdfArrayOpen:
		for {
			e, err := p.next()
			if err != nil {
				return nil, err
			}
			if e.kind == pdfArrayClose {
				return []any(nil), nil
			}
			p.back = append(p.back, e)
			if _, err := p.value(depth + 1); err != nil {
				return nil, err
			}
		}
	case pdfDictOpen:
		d := map[string]any{}
		for {
			k, err := p.next()
			if err != nil {
				return nil, err
			}
			if k.kind == pdfDictClose {
				return d, nil
			}
			if k.kind != pdfName {
				return nil, pdfErr(k.pos, "dictionary key is not a name")
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			d[k.text] = v
		}
	}
	return nil, pdfErr(t.pos, "unexpected token")
}

// next returns the next token, skipping white space and comments (noting
// %%EOF). At the end of the file it returns a pdfEOF token.
func (p *pdfParser) next() (pdfTok, error) {
	t, err := p.lex()
	if err == nil && t.kind != pdfEOF {
		p.lastTok = max(p.lastTok, t.pos)
	}
	return t, err
}

// lex is next without the bookkeeping.
func (p *pdfParser) lex() (pdfTok, error) {
	if n := len(p.back); n > 0 {
		t := p.back[n-1]
		p.back = p.back[:n-1]
		return t, nil
	}
	s := p.s
	for {
		b, ok := s.peek()
		if !ok {
			return pdfTok{kind: pdfEOF, pos: s.pos}, nil
		}
		switch {
		case pdfSpace(b):
			s.pos++
			continue
		case b == '%':
			isEOF := s.hasPrefix(s.pos, "%%EOF")
			for {
				c, ok := s.peek()
				if !ok || c == '\n' || c == '\r' {
					break
				}
				s.pos++
			}
			if isEOF {
				p.lastEOF = s.pos
			}
			continue
		}
		break
	}
	pos := s.pos
	b, _ := s.peek()
	switch b {
	case '[':
		s.pos++
		return pdfTok{kind: pdfArrayOpen, pos: pos}, nil
	case ']':
		s.pos++
		return pdfTok{kind: pdfArrayClose, pos: pos}, nil
	case '<':
		if s.hasPrefix(pos, "<<") {
			s.pos += 2
			return pdfTok{kind: pdfDictOpen, pos: pos}, nil
		}
		s.pos++
		for {
			c, ok := s.peek()
			if !ok {
				return pdfTok{}, pdfErr(pos, "unterminated hex string")
			}
			s.pos++
			if c == '>' {
				return pdfTok{kind: pdfString, pos: pos}, nil
			}
			if !pdfSpace(c) && !isHex(c) {
				return pdfTok{}, pdfErr(s.pos-1, "bad hex string")
			}
		}
	case '>':
		if s.hasPrefix(pos, ">>") {
			s.pos += 2
			return pdfTok{kind: pdfDictClose, pos: pos}, nil
		}
		return pdfTok{}, pdfErr(pos, "stray >")
	case '(':
		depth := 0
		for {
			c, ok := s.peek()
			if !ok {
				return pdfTok{}, pdfErr(pos, "unterminated string")
			}
			s.pos++
			switch c {
			case '\\':
				s.pos++
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return pdfTok{kind: pdfString, pos: pos}, nil
				}
			}
		}
	case '/':
		s.pos++
		var name []byte
		for {
			c, ok := s.peek()
			if !ok || pdfSpace(c) || pdfDelim(c) {
				break
			}
			name = append(name, c)
			s.pos++
		}
		return pdfTok{kind: pdfName, text: string(name), pos: pos}, nil
	case ')', '{', '}':
		return pdfTok{}, pdfErr(pos, "stray %q", string(b))
	}
	var word []byte
	for {
		c, ok := s.peek()
		if !ok || pdfSpace(c) || pdfDelim(c) {
			break
		}
		word = append(word, c)
		s.pos++
		if len(word) > 255 {
			return pdfTok{}, pdfErr(pos, "token too long")
		}
	}
	w := string(word)
	if isPDFNumber(w) {
		return pdfTok{kind: pdfNumber, text: w, pos: pos}, nil
	}
	for _, c := range word {
		if c < 'A' || c > 'z' || (c > 'Z' && c < 'a') {
			return pdfTok{}, pdfErr(pos, "not PDF syntax")
		}
	}
	return pdfTok{kind: pdfKeyword, text: w, pos: pos}, nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// isPDFNumber matches [+-]?(digits[.digits]|.digits).
func isPDFNumber(w string) bool {
	if w == "" {
		return false
	}
	if w[0] == '+' || w[0] == '-' {
		w = w[1:]
	}
	digits, dot := 0, false
	for i := range len(w) {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// readObjStms looks for the catalog inside Flate-compressed object
// streams: each holds "num offset" pairs and then the objects.
func (p *pdfParser) readObjStms() {
	for _, r := range p.objStms {
		raw := make([]byte, r[1]-r[0])
		if _, err := p.s.r.ReadAt(raw, r[0]); err != nil && !errors.Is(err, io.EOF) {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(zr, pdfMaxObjStm))
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			continue
		}
		inner := &pdfParser{s: &pdfSrc{r: bytes.NewReader(data), size: int64(len(data))}, lastEOF: -1, root: -1}
		var nums []int64
		for {
			t, err := inner.next()
			if err != nil || t.kind != pdfNumber {
				if err == nil {
					inner.back = append(inner.back, t)
				}
				break
			}
			o, err := inner.next()
			if err != nil || o.kind != pdfNumber {
				break
			}
			n, _ := strconv.ParseInt(t.text, 10, 64)
			nums = append(nums, n)
		}
		for _, n := range nums {
			v, err := inner.value(0)
			if err != nil {
				break
			}
			if d, ok := v.(map[string]any); ok && d["Type"] == pdfNameVal("Catalog") {
				p.catalog[n] = true
			}
		}
	}
}
