package pattern

import "github.com/alecthomas/participle/v2"

var parser = participle.MustBuild[astPattern](
	participle.Lexer(patternLexer),
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
	Property *astFirst `parser:"  '.' @@"`
	Index    *string   `parser:"| '[' @( Int | '*' ) ']'"`
}
