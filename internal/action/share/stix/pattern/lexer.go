package pattern

import (
	"fmt"
	"io"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the pattern lexer. The grammar (grammar.go) refers to them
// by these names.
const (
	tokTimestamp lexer.TokenType = iota + 1
	tokHex
	tokBinary
	tokString
	tokFloat
	tokInt
	tokIdent
	tokOp
	tokPunct
)

// scanner is a participle lexer.Definition that splits a pattern into the
// tokens of the specification's grammar: t'...', h'...', b'...' constants,
// quoted strings (\' and \\ escapes, checked later), numbers, identifiers
// (with hyphens, for object types), comparison operators and punctuation.
// It replaces a regular-expression lexer that took a third of Parse's time.
type scanner struct{}

var patternLexer lexer.Definition = scanner{}

func (scanner) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": lexer.EOF, "Timestamp": tokTimestamp, "Hex": tokHex, "Binary": tokBinary, "String": tokString,
		"Float": tokFloat, "Int": tokInt, "Ident": tokIdent, "Op": tokOp, "Punct": tokPunct,
	}
}

func (s scanner) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return s.LexString(filename, string(b))
}

func (scanner) LexString(filename, input string) (lexer.Lexer, error) {
	return &scan{src: input, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}, nil
}

type scan struct {
	src string
	pos lexer.Position
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// advance moves past n bytes, keeping line and column.
func (s *scan) advance(n int) {
	for i := 0; i < n; i++ {
		if s.src[s.pos.Offset+i] == '\n' {
			s.pos.Line++
			s.pos.Column = 1
		} else {
			s.pos.Column++
		}
	}
	s.pos.Offset += n
}

func (s *scan) Next() (lexer.Token, error) {
	src := s.src
	for s.pos.Offset < len(src) {
		c := src[s.pos.Offset]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			break
		}
		s.advance(1)
	}
	start := s.pos
	i := start.Offset
	if i >= len(src) {
		return lexer.EOFToken(start), nil
	}
	tok := func(t lexer.TokenType, end int) (lexer.Token, error) {
		s.advance(end - i)
		return lexer.Token{Type: t, Value: src[i:end], Pos: start}, nil
	}
	c := src[i]
	switch {
	case (c == 't' || c == 'h' || c == 'b') && i+1 < len(src) && src[i+1] == '\'':
		end := i + 2
		for end < len(src) && src[end] != '\'' {
			end++
		}
		if end == len(src) {
			return lexer.Token{}, &lexer.Error{Msg: fmt.Sprintf("invalid input text %q: unterminated constant", src[i:]), Pos: start}
		}
		return tok(map[byte]lexer.TokenType{'t': tokTimestamp, 'h': tokHex, 'b': tokBinary}[c], end+1)
	case c == '\'':
		end := i + 1
		for end < len(src) && src[end] != '\'' {
			if src[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(src) {
			return lexer.Token{}, &lexer.Error{Msg: fmt.Sprintf("invalid input text %q: unterminated string", src[i:]), Pos: start}
		}
		return tok(tokString, end+1)
	case isDigit(c) || ((c == '+' || c == '-' || c == '.') && i+1 < len(src) && (isDigit(src[i+1]) || src[i+1] == '.')):
		end := i
		if c == '+' || c == '-' {
			end++
		}
		for end < len(src) && isDigit(src[end]) {
			end++
		}
		if end+1 < len(src) && src[end] == '.' && isDigit(src[end+1]) {
			end++
			for end < len(src) && isDigit(src[end]) {
				end++
			}
			return tok(tokFloat, end)
		}
		if end == i || (end == i+1 && !isDigit(c)) {
			return lexer.Token{}, &lexer.Error{Msg: fmt.Sprintf("invalid input text %q", src[i:min(len(src), i+10)]), Pos: start}
		}
		return tok(tokInt, end)
	case isIdentStart(c):
		end := i + 1
		for end < len(src) && (isIdentStart(src[end]) || isDigit(src[end]) || src[end] == '-') {
			end++
		}
		return tok(tokIdent, end)
	case c == '<' || c == '>' || c == '!' || c == '=':
		if i+1 < len(src) {
			switch src[i : i+2] {
			case "<=", ">=", "!=", "<>", "==":
				return tok(tokOp, i+2)
			}
		}
		if c != '!' {
			return tok(tokOp, i+1)
		}
	case c == '[' || c == ']' || c == '(' || c == ')' || c == ':' || c == '.' || c == ',' || c == '*':
		return tok(tokPunct, i+1)
	}
	return lexer.Token{}, &lexer.Error{Msg: fmt.Sprintf("invalid input text %q", src[i:min(len(src), i+10)]), Pos: start}
}
