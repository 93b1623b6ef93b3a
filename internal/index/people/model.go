// Package people holds person records for vetting applicants, employees,
// contractors, vendors and counterparties: their identifiers canonicalised
// (canon.go), turned into keyed hashes and sealed raw values by a Vault
// (vault.go), and the Store interface the state-store backends implement.
//
// The model carries no protected attribute: no ethnicity, sex, age, accent or
// language of a name. Birth date is kept only as an identifier (hashed, sealed)
// and no rule reads it; see internal/analysis/people's protected-attribute test.
package people

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Sentinel errors; backends and the vault return them wrapped.
var (
	ErrNotFound = errors.New("person not found")
	// ErrInvalid marks bad input: an unknown kind or identifier type, an
	// identifier that does not parse.
	ErrInvalid = errors.New("invalid person record")
	// ErrKey marks a vault key that is missing, malformed, or not the one the
	// record was sealed with.
	ErrKey = errors.New("people key")
)

// Kind is the relation of a person to the member.
type Kind string

// The kinds of person.
const (
	Applicant    Kind = "applicant"
	Employee     Kind = "employee"
	Contractor   Kind = "contractor"
	Vendor       Kind = "vendor"
	Counterparty Kind = "counterparty"
)

// Kinds lists every kind.
var Kinds = []Kind{Applicant, Employee, Contractor, Vendor, Counterparty}

// Privilege is a role that can move funds or code: the advisories' targets.
type Privilege string

// The privileges tracked for role gating.
const (
	SignerSeat       Privilege = "signer_seat"
	PackagePublisher Privilege = "package_publisher"
	RepoAdmin        Privilege = "repo_admin"
	CloudAdmin       Privilege = "cloud_admin"
)

// Privileges lists every privilege.
var Privileges = []Privilege{SignerSeat, PackagePublisher, RepoAdmin, CloudAdmin}

// Type is an identifier type.
type Type string

// Identifier types. The comment says what Value and Extra hold.
const (
	LegalName       Type = "legal_name"       // the name on the ID document
	PayoutName      Type = "payout_name"      // account holder name of the payout account
	BirthDate       Type = "birth_date"       // YYYY-MM-DD; stored, never scored
	Nationality     Type = "nationality"      // ISO 3166 code as given
	IDDocument      Type = "id_document"      // Value number; Extra "type:country" (passport:US)
	Email           Type = "email"            // address
	Phone           Type = "phone"            // any format; Extra the default region (US)
	PostalAddress   Type = "postal_address"   // one line
	ShippingAddress Type = "shipping_address" // one line
	IP              Type = "ip"               // IPv4 or IPv6; Extra the ASN (AS13335)
	GitHub          Type = "github"           // numeric account id; Extra the login
	Telegram        Type = "telegram"         // numeric user id; Extra the @handle
	ProfileURL      Type = "profile_url"      // LinkedIn, portfolio, ...
	PhotoHash       Type = "photo_phash"      // 64-bit perceptual hash, 16 hex digits
	BankAccount     Type = "bank_account"     // IBAN or account number; Extra the bank
	Wallet          Type = "wallet"           // payout address; Extra the chain (btc, eth)
	Employer        Type = "employer"         // claimed employer or own company
	Referrer        Type = "referrer"         // who referred the person (name or person id)
	TimeZone        Type = "time_zone"        // the claimed working time zone, IANA (Europe/Berlin)

	// EmailNear is derived, never given nor stored: the keyed hashes of an
	// email's transposition variants (NearVariants), two per email, computed
	// by Vault.Derived for the identifier graph. Validate refuses them as input.
	EmailNear Type = "email_near"
)

// typeInfo says how an identifier type is hashed and used.
type typeInfo struct {
	// class is the hash domain: types in one class match each other (a postal
	// address reused as another person's shipping address is one address).
	class string
	// linking types join persons into persona clusters when shared.
	linking bool
	// derived types are computed by the vault from another identifier.
	derived bool
}

var types = map[Type]typeInfo{
	LegalName:       {class: "name"},
	PayoutName:      {class: "name"},
	BirthDate:       {class: "birth_date"},
	Nationality:     {class: "nationality"},
	IDDocument:      {class: "id_document", linking: true},
	Email:           {class: "email", linking: true},
	Phone:           {class: "phone", linking: true},
	PostalAddress:   {class: "address", linking: true},
	ShippingAddress: {class: "address", linking: true},
	IP:              {class: "ip", linking: true},
	GitHub:          {class: "github", linking: true},
	Telegram:        {class: "telegram", linking: true},
	ProfileURL:      {class: "url", linking: true},
	PhotoHash:       {class: "photo", linking: true},
	BankAccount:     {class: "bank_account", linking: true},
	Wallet:          {class: "wallet", linking: true},
	Employer:        {class: "employer"},
	Referrer:        {class: "referrer"},
	TimeZone:        {class: "time_zone"},
	EmailNear:       {class: "email_near", linking: true, derived: true},
}

// Types lists every identifier type a person record may give, sorted
// (derived types left out).
func Types() []Type {
	out := make([]Type, 0, len(types))
	for t, ti := range types {
		if !ti.derived {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Class returns the hash class of t ("" for an unknown type).
func (t Type) Class() string { return types[t].class }

// Linking reports whether a value of type t shared by two persons links them.
func (t Type) Linking() bool { return types[t].linking }

// Valid reports whether t is a known identifier type a record may give
// (not a derived one).
func (t Type) Valid() bool { ti, ok := types[t]; return ok && !ti.derived }

// Derived reports whether t is computed by the vault, not given.
func (t Type) Derived() bool { return types[t].derived }

// Identifier is one identifier of a person as given, before canonicalisation.
type Identifier struct {
	Type  Type   `json:"type"`
	Value string `json:"value"`
	Extra string `json:"extra,omitempty"`
	// RetainUntil, when set, is when this field must be purged; zero means
	// the person's RetainUntil.
	RetainUntil time.Time `json:"retain_until,omitzero"`
}

// Consent records the basis on which the person's data is processed.
type Consent struct {
	Basis     string    `json:"basis,omitempty"` // "consent", "contract", "legal_obligation", ...
	Given     time.Time `json:"given,omitzero"`
	Reference string    `json:"reference,omitempty"` // the signed form, ticket, ...
}

// Person is a person record with its raw identifiers, as added or as opened
// by the vault.
type Person struct {
	ID          string       `json:"id"`
	Kind        Kind         `json:"kind"`
	Role        string       `json:"role,omitempty"`
	Privileges  []Privilege  `json:"privileges,omitempty"`
	Consent     Consent      `json:"consent,omitzero"`
	RetainUntil time.Time    `json:"retain_until,omitzero"`
	Created     time.Time    `json:"created,omitzero"`
	Identifiers []Identifier `json:"identifiers"`
}

// Values returns the values of p's identifiers of type t, in order.
func (p *Person) Values(t Type) []string {
	var out []string
	for _, id := range p.Identifiers {
		if id.Type == t {
			out = append(out, id.Value)
		}
	}
	return out
}

// Validate checks the parts of p that need no key: id, kind, privileges and
// identifier types.
func (p *Person) Validate() error {
	if p.ID == "" || len(p.ID) > 128 {
		return fmt.Errorf("%w: id must be 1 to 128 characters", ErrInvalid)
	}
	if !slices.Contains(Kinds, p.Kind) {
		return fmt.Errorf("%w: person %s: unknown kind %q", ErrInvalid, p.ID, p.Kind)
	}
	for _, pr := range p.Privileges {
		if !slices.Contains(Privileges, pr) {
			return fmt.Errorf("%w: person %s: unknown privilege %q", ErrInvalid, p.ID, pr)
		}
	}
	for i, id := range p.Identifiers {
		if !id.Type.Valid() {
			return fmt.Errorf("%w: person %s: identifier %d: unknown type %q", ErrInvalid, p.ID, i, id.Type)
		}
	}
	return nil
}

// Hash is a keyed hash (HMAC-SHA256) of an identifier's class and canonical value.
type Hash [32]byte

// Record is a person as stored: no raw identifier, only keyed hashes and
// sealed (AES-GCM) canonical values.
type Record struct {
	ID          string
	Kind        Kind
	Role        string
	Privileges  []Privilege
	Consent     Consent
	RetainUntil time.Time // zero: kept until deleted
	Created     time.Time
	Identifiers []StoredIdentifier
}

// StoredIdentifier is one identifier at rest.
type StoredIdentifier struct {
	Type Type
	Hash Hash
	// Sealed is the canonical value and Extra, encrypted; nil when the vault
	// keeps only the hash.
	Sealed []byte
	// Hint is non-personal data kept in clear for rules: an IP's ASN.
	Hint        string
	RetainUntil time.Time // zero: the person's
}

// Link is one stored identifier hash and the person holding it.
type Link struct {
	Hash     Hash
	Type     Type
	PersonID string
}
