package people

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // time zones without the host's database
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"

	"github.com/interdict/interdict/internal/chain"
)

// Canonical returns the canonical form of an identifier's value, the text its
// keyed hash is computed over. Two spellings of one identifier give one form:
//
//   - email: trimmed, lower case. At Gmail (gmail.com, googlemail.com) dots in
//     the local part are ignored and googlemail.com is gmail.com. At providers
//     that deliver "user+tag" to "user" (Gmail, Outlook/Hotmail/Live, iCloud,
//     Proton, Fastmail) the "+tag" is dropped. Elsewhere the local part is kept
//     as is, since a '+' or '.' may be significant.
//   - phone: E.164 (+14155550123), parsed by github.com/nyaruka/phonenumbers with
//     Extra (or "US") as the region of numbers written without a country code.
//     Numbers that cannot be a phone number of that region are rejected.
//   - postal and shipping address: Unicode NFKD without diacritics, lower case,
//     punctuation as spaces, common words abbreviated (street → st, apartment,
//     suite, unit, # → unit, ...), spaces collapsed.
//   - ip: netip form (IPv4-mapped IPv6 unmapped, IPv6 compressed lower case).
//   - github, telegram: the platform's numeric id; a login ("@name" or name)
//     when no id is known is kept as "login:name" lower case, which matches
//     only the same login.
//   - profile_url: host lower case without "www.", path without trailing '/',
//     no scheme, query or fragment.
//   - photo_phash: 16 lower-case hex digits.
//   - bank_account: upper case without spaces, dots or dashes (IBAN form).
//   - wallet: chain.NormalizeAddress.
//   - id_document: "TYPE:COUNTRY:NUMBER", upper case, number without spaces or dashes.
//   - names, employer, referrer: as addresses (folded, punctuation as spaces).
//   - birth_date: YYYY-MM-DD; nationality: upper case.
//   - time_zone: an IANA name (Europe/Berlin, UTC), as the tz database spells it.
func Canonical(t Type, value, extra string) (string, error) {
	c, err := canonical(t, value, extra)
	if err == nil && c == "" {
		err = fmt.Errorf("%w: %s %q has nothing to match on", ErrInvalid, t, value)
	}
	return c, err
}

func canonical(t Type, value, extra string) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", fmt.Errorf("%w: empty %s", ErrInvalid, t)
	}
	if len(v) > 1024 {
		return "", fmt.Errorf("%w: %s longer than 1024 bytes", ErrInvalid, t)
	}
	switch t {
	case Email:
		return canonEmail(v)
	case Phone:
		return canonPhone(v, extra)
	case PostalAddress, ShippingAddress:
		return foldText(v, addressWords), nil
	case LegalName, PayoutName, Employer, Referrer:
		return foldText(v, nil), nil
	case IP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "", fmt.Errorf("%w: ip %q: %v", ErrInvalid, v, err)
		}
		return a.Unmap().WithZone("").String(), nil
	case GitHub, Telegram:
		return canonHandle(v)
	case ProfileURL:
		return canonURL(v)
	case PhotoHash:
		h := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X"))
		if len(h) != 16 || strings.Trim(h, "0123456789abcdef") != "" {
			return "", fmt.Errorf("%w: photo_phash %q: want 16 hex digits", ErrInvalid, v)
		}
		return h, nil
	case BankAccount:
		return strings.ToUpper(stripChars(v, " .-")), nil
	case Wallet:
		return chain.NormalizeAddress(v), nil
	case IDDocument:
		return canonDocument(v, extra)
	case BirthDate:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return "", fmt.Errorf("%w: birth_date %q: want YYYY-MM-DD", ErrInvalid, v)
		}
		return d.Format(time.DateOnly), nil
	case Nationality:
		return strings.ToUpper(v), nil
	case TimeZone:
		loc, err := time.LoadLocation(v)
		if err != nil || v == "Local" {
			return "", fmt.Errorf("%w: time_zone %q: want an IANA name such as Europe/Berlin", ErrInvalid, v)
		}
		return loc.String(), nil
	}
	return "", fmt.Errorf("%w: unknown identifier type %q", ErrInvalid, t)
}

// plusProviders deliver user+tag@domain to user@domain.
var plusProviders = map[string]bool{
	"gmail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"icloud.com": true, "me.com": true, "protonmail.com": true, "proton.me": true, "fastmail.com": true,
}

func canonEmail(v string) (string, error) {
	v = strings.ToLower(v)
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n<>,;") {
		return "", fmt.Errorf("%w: email %q: want local@domain", ErrInvalid, v)
	}
	local, domain := v[:at], strings.TrimSuffix(v[at+1:], ".")
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if plusProviders[domain] {
		if i := strings.IndexByte(local, '+'); i >= 0 {
			local = local[:i]
		}
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" {
		return "", fmt.Errorf("%w: email %q: empty local part", ErrInvalid, v)
	}
	return local + "@" + domain, nil
}

func canonPhone(v, region string) (string, error) {
	if region == "" {
		region = "US"
	}
	n, err := phonenumbers.Parse(v, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("%w: phone %q: %v", ErrInvalid, v, err)
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return "", fmt.Errorf("%w: phone %q: not a possible number", ErrInvalid, v)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func canonHandle(v string) (string, error) {
	v = strings.TrimPrefix(v, "@")
	if v == "" {
		return "", fmt.Errorf("%w: empty handle", ErrInvalid)
	}
	if strings.Trim(v, "0123456789") == "" {
		if id := strings.TrimLeft(v, "0"); id != "" {
			return id, nil
		}
		return "", fmt.Errorf("%w: account id 0", ErrInvalid)
	}
	return "login:" + strings.ToLower(strings.TrimPrefix(v, "login:")), nil
}

func canonURL(v string) (string, error) {
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: profile_url %q: not a URL", ErrInvalid, v)
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	return host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

func canonDocument(number, extra string) (string, error) {
	kind, country, _ := strings.Cut(extra, ":")
	n := strings.ToUpper(stripChars(number, " -."))
	if n == "" {
		return "", fmt.Errorf("%w: id_document: empty number", ErrInvalid)
	}
	return strings.ToUpper(strings.TrimSpace(kind)) + ":" + strings.ToUpper(strings.TrimSpace(country)) + ":" + n, nil
}

func stripChars(s, chars string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(chars, r) {
			return -1
		}
		return r
	}, s)
}

// addressWords abbreviates the words of postal addresses that are written
// both ways.
var addressWords = map[string]string{
	"street": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd", "drive": "dr",
	"lane": "ln", "court": "ct", "place": "pl", "square": "sq", "highway": "hwy", "parkway": "pkwy",
	"apartment": "unit", "apt": "unit", "suite": "unit", "ste": "unit", "flat": "unit", "no": "unit",
	"north": "n", "south": "s", "east": "e", "west": "w", "floor": "fl",
}

// foldText folds case and diacritics, turns punctuation into spaces, maps
// words through abbrev and collapses spaces. '#' counts as the word "unit".
func foldText(s string, abbrev map[string]string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '#' && abbrev != nil:
			b.WriteString(" unit ")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		if a, ok := abbrev[w]; ok {
			words[i] = a
		}
	}
	return strings.Join(words, " ")
}
