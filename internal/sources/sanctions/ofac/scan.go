package ofac

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/orisano/gosax"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// readBufferSize is the tokenizer's initial window. It grows for a longer token;
// 64 KiB reads as fast as gosax's 2 MiB default on the real lists and keeps
// small inputs cheap.
const readBufferSize = 64 << 10

// maxDepth bounds element nesting. The real schema nests about 12 deep; the bound
// keeps a hostile input from growing the stack without limit.
const maxDepth = 64

// ctxCheckEvery is how many tokenizer events pass between two context checks:
// often enough to stop within milliseconds, rare enough to cost nothing.
const ctxCheckEvery = 1 << 14

// handler receives the checked element stream from a scanner.
type handler interface {
	// start is called for each start tag with the element's tag, its parent's
	// tag and the raw attribute bytes (read them with eachAttr).
	start(t, parent tag, attrs []byte) error
	// end is called for each end tag (and right after start for <x/>).
	end(t, parent tag) error
}

type frame struct {
	tag        tag
	nameOffset int // start of this element's name in scanner.names
}

// scanner drives gosax and enforces what gosax leaves out: one root element,
// matching end tags, text only inside the root, bounded depth. It collects the
// text of an element only while capture is set, so unwanted text costs nothing.
type scanner struct {
	r     *gosax.Reader
	src   *errReader
	stack []frame
	names []byte // names of the open elements, back to back

	capture bool
	text    []byte

	root     []byte // expected root element name
	sawRoot  bool
	rootDone bool
}

// errReader remembers the underlying reader's last error so that an I/O failure
// is reported as such and not as malformed XML.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

func newScanner(r io.Reader, root string) *scanner {
	src := &errReader{r: r}
	return &scanner{
		r:     gosax.NewReaderSize(src, readBufferSize),
		src:   src,
		stack: make([]frame, 0, maxDepth),
		names: make([]byte, 0, 1024),
		text:  make([]byte, 0, 256),
		root:  []byte(root),
	}
}

// malformed wraps a description of bad input in sanctions.ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("ofac: %w: %s", sanctions.ErrMalformed, fmt.Sprintf(format, args...))
}

// run reads the whole document, calling h for every element.
func (s *scanner) run(ctx context.Context, h handler) error {
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ev, err := s.r.Event()
		if err != nil {
			return s.readErr(err)
		}
		switch ev.Type() {
		case gosax.EventStart:
			if err := s.startTag(ev.Bytes, h); err != nil {
				return err
			}
		case gosax.EventEnd:
			if err := s.endTag(ev.Bytes, h); err != nil {
				return err
			}
		case gosax.EventText:
			if err := s.textBytes(ev.Bytes); err != nil {
				return err
			}
		case gosax.EventCData:
			if len(s.stack) == 0 {
				return malformed("CDATA outside the root element")
			}
			b := ev.Bytes
			if !bytes.HasPrefix(b, []byte("<![CDATA[")) || len(b) < len("<![CDATA[]]>") {
				return malformed("bad CDATA section")
			}
			if s.capture {
				s.text = append(s.text, b[len("<![CDATA["):len(b)-len("]]>")]...)
			}
		case gosax.EventComment, gosax.EventProcessingInstruction, gosax.EventDocType:
		case gosax.EventEOF:
			if err := s.src.err; err != nil {
				return fmt.Errorf("ofac: read: %w", err)
			}
			if !s.sawRoot {
				return malformed("no root element")
			}
			if len(s.stack) > 0 {
				return malformed("unexpected end of input inside <%s>", s.topName())
			}
			return nil
		default:
			// gosax yields an untyped event when the reader returns (0, nil).
			return malformed("unreadable markup")
		}
	}
}

func (s *scanner) readErr(err error) error {
	if s.src.err != nil {
		return fmt.Errorf("ofac: read: %w", s.src.err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformed("unexpected end of input inside markup")
	}
	return malformed("%v", err)
}

func (s *scanner) topName() []byte {
	return s.names[s.stack[len(s.stack)-1].nameOffset:]
}

func (s *scanner) parentTag() tag {
	if len(s.stack) == 0 {
		return tagNone
	}
	return s.stack[len(s.stack)-1].tag
}

func (s *scanner) startTag(b []byte, h handler) error {
	selfClosing := len(b) >= 3 && b[len(b)-2] == '/'
	name, attrs := gosax.Name(b)
	if !validName(name) {
		return malformed("bad element name %q", name)
	}
	local := localName(name)
	if len(s.stack) == 0 {
		if s.rootDone {
			return malformed("second root element <%s>", name)
		}
		if !bytes.Equal(local, s.root) {
			return malformed("root element is <%s>, want <%s>", name, s.root)
		}
		s.sawRoot = true
	}
	if len(s.stack) >= maxDepth {
		return malformed("elements nested deeper than %d", maxDepth)
	}
	t := lookupTag(local)
	parent := s.parentTag()
	s.capture = false
	s.text = s.text[:0]
	if err := h.start(t, parent, attrs); err != nil {
		return err
	}
	if selfClosing {
		s.rootDone = len(s.stack) == 0
		err := h.end(t, parent)
		s.capture = false
		return err
	}
	s.stack = append(s.stack, frame{tag: t, nameOffset: len(s.names)})
	s.names = append(s.names, name...)
	return nil
}

func (s *scanner) endTag(b []byte, h handler) error {
	name, _ := gosax.Name(b)
	if len(s.stack) == 0 {
		return malformed("end tag </%s> without start tag", name)
	}
	top := s.stack[len(s.stack)-1]
	if !bytes.Equal(name, s.names[top.nameOffset:]) {
		return malformed("end tag </%s> does not match <%s>", name, s.names[top.nameOffset:])
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.names = s.names[:top.nameOffset]
	if len(s.stack) == 0 {
		s.rootDone = true
	}
	err := h.end(top.tag, s.parentTag())
	s.capture = false
	return err
}

func (s *scanner) textBytes(b []byte) error {
	if len(s.stack) == 0 {
		// A byte-order mark may precede the document; gosax passes it as text.
		if !s.sawRoot {
			b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		}
		if len(bytes.TrimSpace(b)) > 0 {
			return malformed("text outside the root element")
		}
		return nil
	}
	if !s.capture {
		return nil
	}
	if bytes.IndexByte(b, '&') >= 0 || bytes.IndexByte(b, '\r') >= 0 {
		u, err := gosax.Unescape(b)
		if err != nil {
			return malformed("text: %v", err)
		}
		b = u
	}
	s.text = append(s.text, b...)
	return nil
}

// takeText returns the captured text of the element that just ended.
func (s *scanner) takeText() (string, error) {
	if !utf8.Valid(s.text) {
		return "", malformed("text is not valid UTF-8")
	}
	return string(s.text), nil
}

// validName accepts the XML name characters the lists use; it exists to reject
// the garbage gosax passes through (e.g. "<>" or "< a>"), not to implement the
// whole XML Name production.
func validName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	c := b[0]
	if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == ':' || c >= 0x80) {
		return false
	}
	for _, c := range b[1:] {
		switch c {
		case '<', '>', '/', '=', '"', '\'', '&':
			return false
		}
	}
	return true
}

// localName strips a namespace prefix ("ns:Name" → "Name").
func localName(b []byte) []byte {
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// eachAttr calls fn with every attribute's name and unescaped value.
func eachAttr(b []byte, fn func(key, val []byte)) error {
	for {
		a, rest, err := gosax.NextAttribute(b)
		if err != nil {
			return malformed("attribute: %v", err)
		}
		if len(a.Key) == 0 {
			return nil
		}
		v := a.Value
		if len(v) < 2 || v[0] != v[len(v)-1] {
			return malformed("attribute %q has no quoted value", a.Key)
		}
		v = v[1 : len(v)-1]
		if bytes.IndexByte(v, '&') >= 0 {
			if v, err = gosax.Unescape(v); err != nil {
				return malformed("attribute %q: %v", a.Key, err)
			}
		}
		fn(localName(a.Key), v)
		b = rest
	}
}
