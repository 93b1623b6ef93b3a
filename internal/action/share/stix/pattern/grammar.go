package pattern

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer tries its rules in order: the prefixed constants before
// identifiers (t'...' is a timestamp, not the identifier t), floats before
// integers.
var patternLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Timestamp", Pattern: `t'[^']*'`},
	{Name: "Hex", Pattern: `h'[^']*'`},
	{Name: "Binary", Pattern: `b'[^']*'`},
	{Name: "String", Pattern: `'(?:\\.|[^'\\])*'`},
	{Name: "Float", Pattern: `[-+]?[0-9]*\.[0-9]+`},
	{Name: "Int", Pattern: `[-+]?[0-9]+`},
	{Name: "Ident", Pattern: `[a-zA-Z_][a-zA-Z0-9_-]*`},
	{Name: "Op", Pattern: `<=|>=|!=|<>|==|=|<|>`},
	{Name: "Punct", Pattern: `[\[\]():.,*]`},
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
})

var parser = participle.MustBuild[astPattern](
	participle.Lexer(patternLexer),
	participle.Elide("Whitespace"),
	participle.UseLookahead(2),
)

// The AST mirrors the specification's grammar; precedence from lowest:
// FOLLOWEDBY, OR, AND between observations; then qualifiers; inside [ ],
// OR, then AND.

type astPattern struct {
	Expr *astFollowedBy `parser:"@@"`
}

type astFollowedBy struct {
	Terms []*astObsOr `parser:"@@ ( 'FOLLOWEDBY' @@ )*"`
}

type astObsOr struct {
	Terms []*astObsAnd `parser:"@@ ( 'OR' @@ )*"`
}

type astObsAnd struct {
	Terms []*astQualified `parser:"@@ ( 'AND' @@ )*"`
}

type astQualified struct {
	Base       *astObsBase     `parser:"@@"`
	Qualifiers []*astQualifier `parser:"@@*"`
}

type astObsBase struct {
	Comparison *astCompOr     `parser:"  '[' @@ ']'"`
	Group      *astFollowedBy `parser:"| '(' @@ ')'"`
}

type astQualifier struct {
	Within  *string `parser:"  'WITHIN' @( Float | Int ) 'SECONDS'"`
	Repeats *string `parser:"| 'REPEATS' @Int 'TIMES'"`
	Start   *string `parser:"| 'START' @Timestamp"`
	Stop    *string `parser:"  'STOP' @Timestamp"`
}

type astCompOr struct {
	Terms []*astCompAnd `parser:"@@ ( 'OR' @@ )*"`
}

type astCompAnd struct {
	Terms []*astPropTest `parser:"@@ ( 'AND' @@ )*"`
}

type astPropTest struct {
	Exists *astPath    `parser:"  'EXISTS' @@"`
	Group  *astCompOr  `parser:"| '(' @@ ')'"`
	Test   *astCompare `parser:"| @@"`
}

type astCompare struct {
	Path  *astPath    `parser:"@@"`
	Not   bool        `parser:"@'NOT'?"`
	Op    string      `parser:"@( Op | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET' )"`
	Set   *astSet     `parser:"( @@"`
	Value *astLiteral `parser:"| @@ )"`
}

type astSet struct {
	Values []*astLiteral `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
}

type astLiteral struct {
	String    *string `parser:"  @String"`
	Float     *string `parser:"| @Float"`
	Int       *string `parser:"| @Int"`
	Bool      *string `parser:"| @( 'true' | 'false' )"`
	Timestamp *string `parser:"| @Timestamp"`
	Hex       *string `parser:"| @Hex"`
	Binary    *string `parser:"| @Binary"`
}

type astPath struct {
	Type  string     `parser:"@Ident ':'"`
	First *astFirst  `parser:"@@"`
	Rest  []*astStep `parser:"@@*"`
}

type astFirst struct {
	Name   *string `parser:"  @Ident"`
	Quoted *string `parser:"| @String"`
}

// astStep is a property after '.' or a list index.
type astStep struct {
	Name   *string `parser:"  '.' @Ident"`
	Quoted *string `parser:"| '.' @String"`
	Index  *string `parser:"| '[' @( Int | '*' ) ']'"`
}
