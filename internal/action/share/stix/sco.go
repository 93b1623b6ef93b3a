package stix

import "encoding/json"

// The STIX Cyber-observable Objects Interdict models (STIX 2.1 section 6),
// plus the cryptocurrency-wallet and cryptocurrency-transaction SCOs defined
// by extension definitions. Ids come from SCOID.

// File is a file, identified mostly by its hashes.
type File struct {
	Common
	Hashes             map[string]string `json:"hashes,omitempty"`
	Size               *int64            `json:"size,omitempty"`
	Name               string            `json:"name,omitempty"`
	NameEnc            string            `json:"name_enc,omitempty"`
	MagicNumberHex     string            `json:"magic_number_hex,omitempty"`
	MimeType           string            `json:"mime_type,omitempty"`
	Ctime              Timestamp         `json:"ctime,omitzero"`
	Mtime              Timestamp         `json:"mtime,omitzero"`
	Atime              Timestamp         `json:"atime,omitzero"`
	ParentDirectoryRef string            `json:"parent_directory_ref,omitempty"`
	ContainsRefs       []string          `json:"contains_refs,omitempty"`
	ContentRef         string            `json:"content_ref,omitempty"`
}

// DomainName is a network domain name.
type DomainName struct {
	Common
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitempty"`
}

// URL is a uniform resource locator.
type URL struct {
	Common
	Value string `json:"value"`
}

// IPv4Addr is one IPv4 address or CIDR block.
type IPv4Addr struct {
	Common
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitempty"`
	BelongsToRefs  []string `json:"belongs_to_refs,omitempty"`
}

// IPv6Addr is one IPv6 address or CIDR block.
type IPv6Addr struct {
	Common
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitempty"`
	BelongsToRefs  []string `json:"belongs_to_refs,omitempty"`
}

// EmailAddr is an email address.
type EmailAddr struct {
	Common
	Value        string `json:"value"`
	DisplayName  string `json:"display_name,omitempty"`
	BelongsToRef string `json:"belongs_to_ref,omitempty"`
}

// UserAccount is an account of any kind (an exchange account, a GitHub user).
type UserAccount struct {
	Common
	UserID                string    `json:"user_id,omitempty"`
	Credential            string    `json:"credential,omitempty"`
	AccountLogin          string    `json:"account_login,omitempty"`
	AccountType           string    `json:"account_type,omitempty"`
	DisplayName           string    `json:"display_name,omitempty"`
	IsServiceAccount      *bool     `json:"is_service_account,omitempty"`
	IsPrivileged          *bool     `json:"is_privileged,omitempty"`
	CanEscalatePrivs      *bool     `json:"can_escalate_privs,omitempty"`
	IsDisabled            *bool     `json:"is_disabled,omitempty"`
	AccountCreated        Timestamp `json:"account_created,omitzero"`
	AccountExpires        Timestamp `json:"account_expires,omitzero"`
	CredentialLastChanged Timestamp `json:"credential_last_changed,omitzero"`
	AccountFirstLogin     Timestamp `json:"account_first_login,omitzero"`
	AccountLastLogin      Timestamp `json:"account_last_login,omitzero"`
}

// Extension definitions of the two cryptocurrency SCOs (new-sco extensions,
// as published with their schemas by the stix2extensions project).
const (
	CryptocurrencyWalletExtension      = "extension-definition--be78509e-6958-51b1-8b26-d17ee0eba2d7"
	CryptocurrencyTransactionExtension = "extension-definition--151d042d-4dcf-5e44-843f-1024440318e5"
)

// CryptocurrencyWallet is an address on a chain.
type CryptocurrencyWallet struct {
	Common
	Address string `json:"address"`
}

// CryptocurrencyTransaction is a transaction on a chain. Amounts stay
// json.Number: the extension writes them as decimal coins, and Interdict
// never turns money into floats.
type CryptocurrencyTransaction struct {
	Common
	Symbol        string             `json:"symbol,omitempty"`
	Hash          string             `json:"hash"`
	BlockID       string             `json:"block_id,omitempty"`
	Fee           string             `json:"fee,omitempty"`
	ExecutionTime Timestamp          `json:"execution_time,omitzero"`
	Input         []CryptoTxTransfer `json:"input,omitempty"`
	Output        []CryptoTxTransfer `json:"output,omitempty"`
}

// CryptoTxTransfer is one input or output of a CryptocurrencyTransaction.
type CryptoTxTransfer struct {
	AddressRef string      `json:"address_ref"`
	Amount     json.Number `json:"amount,omitempty"`
}

// NewCryptocurrencyWallet returns the wallet SCO of address with its
// deterministic id and the new-sco extension declared.
func NewCryptocurrencyWallet(address string) *CryptocurrencyWallet {
	w := &CryptocurrencyWallet{Address: address}
	w.Type, w.SpecVersion = "cryptocurrency-wallet", "2.1"
	w.Extensions = map[string]json.RawMessage{CryptocurrencyWalletExtension: json.RawMessage(`{"extension_type":"new-sco"}`)}
	w.ID, _ = SCOID(w)
	return w
}

// NewCryptocurrencyTransaction returns the transaction SCO of hash on the
// chain named by symbol (e.g. "BTC", "ETH") with its deterministic id.
func NewCryptocurrencyTransaction(symbol, hash string) *CryptocurrencyTransaction {
	t := &CryptocurrencyTransaction{Symbol: symbol, Hash: hash}
	t.Type, t.SpecVersion = "cryptocurrency-transaction", "2.1"
	t.Extensions = map[string]json.RawMessage{CryptocurrencyTransactionExtension: json.RawMessage(`{"extension_type":"new-sco"}`)}
	t.ID, _ = SCOID(t)
	return t
}

func (o *File) UnmarshalJSON(b []byte) error {
	type plain File
	return decode(b, (*plain)(o), &o.Common)
}
func (o File) MarshalJSON() ([]byte, error) {
	type plain File
	return encode(plain(o), "file", o.Common)
}
func (o *DomainName) UnmarshalJSON(b []byte) error {
	type plain DomainName
	return decode(b, (*plain)(o), &o.Common)
}
func (o DomainName) MarshalJSON() ([]byte, error) {
	type plain DomainName
	return encode(plain(o), "domain-name", o.Common)
}
func (o *URL) UnmarshalJSON(b []byte) error { type plain URL; return decode(b, (*plain)(o), &o.Common) }
func (o URL) MarshalJSON() ([]byte, error)  { type plain URL; return encode(plain(o), "url", o.Common) }
func (o *IPv4Addr) UnmarshalJSON(b []byte) error {
	type plain IPv4Addr
	return decode(b, (*plain)(o), &o.Common)
}
func (o IPv4Addr) MarshalJSON() ([]byte, error) {
	type plain IPv4Addr
	return encode(plain(o), "ipv4-addr", o.Common)
}
func (o *IPv6Addr) UnmarshalJSON(b []byte) error {
	type plain IPv6Addr
	return decode(b, (*plain)(o), &o.Common)
}
func (o IPv6Addr) MarshalJSON() ([]byte, error) {
	type plain IPv6Addr
	return encode(plain(o), "ipv6-addr", o.Common)
}
func (o *EmailAddr) UnmarshalJSON(b []byte) error {
	type plain EmailAddr
	return decode(b, (*plain)(o), &o.Common)
}
func (o EmailAddr) MarshalJSON() ([]byte, error) {
	type plain EmailAddr
	return encode(plain(o), "email-addr", o.Common)
}
func (o *UserAccount) UnmarshalJSON(b []byte) error {
	type plain UserAccount
	return decode(b, (*plain)(o), &o.Common)
}
func (o UserAccount) MarshalJSON() ([]byte, error) {
	type plain UserAccount
	return encode(plain(o), "user-account", o.Common)
}
func (o *CryptocurrencyWallet) UnmarshalJSON(b []byte) error {
	type plain CryptocurrencyWallet
	return decode(b, (*plain)(o), &o.Common)
}
func (o CryptocurrencyWallet) MarshalJSON() ([]byte, error) {
	type plain CryptocurrencyWallet
	return encode(plain(o), "cryptocurrency-wallet", o.Common)
}
func (o *CryptocurrencyTransaction) UnmarshalJSON(b []byte) error {
	type plain CryptocurrencyTransaction
	return decode(b, (*plain)(o), &o.Common)
}
func (o CryptocurrencyTransaction) MarshalJSON() ([]byte, error) {
	type plain CryptocurrencyTransaction
	return encode(plain(o), "cryptocurrency-transaction", o.Common)
}

func init() {
	register("file", func() Object { return &File{} })
	register("domain-name", func() Object { return &DomainName{} })
	register("url", func() Object { return &URL{} })
	register("ipv4-addr", func() Object { return &IPv4Addr{} })
	register("ipv6-addr", func() Object { return &IPv6Addr{} })
	register("email-addr", func() Object { return &EmailAddr{} })
	register("user-account", func() Object { return &UserAccount{} })
	register("cryptocurrency-wallet", func() Object { return &CryptocurrencyWallet{} })
	register("cryptocurrency-transaction", func() Object { return &CryptocurrencyTransaction{} })
}
