package screen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Common given names and surnames by naming culture, for names of people
// nobody listed; they feed the false-positive measurement. They are among
// the most frequent names of each culture (national statistics offices and
// census lists), chosen before looking at the sanctions lists.
var commonNames = []struct {
	culture      string
	given, sur   []string
	surnameFirst bool
}{
	{culture: "english",
		given: []string{"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Emily", "Olivia", "Daniel", "Matthew", "Andrew"},
		sur:   []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker"}},
	{culture: "german-french-italian-dutch",
		given: []string{"Hans", "Klaus", "Jürgen", "Stefan", "Andreas", "Sabine", "Monika", "Ursula", "Pierre", "Jean", "Michel", "Philippe", "Nathalie", "Isabelle", "Sophie", "Giuseppe", "Giovanni", "Marco", "Francesca", "Chiara", "Jan", "Pieter", "Sanne", "Lotte", "Anneke"},
		sur:   []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Girard", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker"}},
	{culture: "hispanic-portuguese",
		given: []string{"José", "Juan", "Carlos", "Luis", "Jorge", "Miguel", "Pedro", "Alejandro", "Fernando", "Javier", "María", "Ana", "Lucía", "Carmen", "Sofía", "Isabel", "Paula", "Marta", "João", "Tiago", "Beatriz", "Mariana", "Rafael", "Diego", "Andrés"},
		sur:   []string{"García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Ortiz", "Castillo", "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Ferreira", "Almeida"}},
	{culture: "arabic",
		given: []string{"Mohammed", "Ahmed", "Ali", "Omar", "Hassan", "Hussein", "Khalid", "Youssef", "Ibrahim", "Mahmoud", "Mustafa", "Abdullah", "Karim", "Tariq", "Samir", "Fatima", "Aisha", "Mariam", "Layla", "Nour", "Huda", "Rania", "Salma", "Yasmin", "Zainab"},
		sur:   []string{"Haddad", "Khoury", "Mansour", "Nasser", "Saleh", "Hamdan", "Farouk", "Aziz", "Rahman", "Sayed", "Darwish", "Suleiman", "Qasim", "Najjar", "Shaheen", "Habib", "Yassin", "Jaber", "Hamad", "Khalil", "Issa", "Mahmoud", "Othman", "Bakr", "Sabbagh"}},
	{culture: "russian-ukrainian",
		given: []string{"Ivan", "Dmitry", "Sergei", "Alexei", "Andrei", "Mikhail", "Nikolai", "Pavel", "Yuri", "Oleg", "Olga", "Tatiana", "Natalia", "Elena", "Irina", "Svetlana", "Anastasia", "Ekaterina", "Maria", "Anna", "Viktor", "Maksim", "Artem", "Taras", "Oksana"},
		sur:   []string{"Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Petrov", "Sokolov", "Mikhailov", "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov", "Pavlov", "Kozlov", "Stepanov", "Nikolaev", "Shevchenko", "Bondarenko", "Kovalenko", "Tkachenko", "Kravchenko"}},
	{culture: "chinese", surnameFirst: true,
		given: []string{"Wei", "Fang", "Xiuying", "Na", "Min", "Jing", "Lei", "Qiang", "Jun", "Yang", "Yan", "Tao", "Ming", "Chao", "Xiulan", "Xia", "Ping", "Gang", "Hui", "Yu", "Haoran", "Zihan", "Yuxuan", "Ruoxi", "Zimo"},
		sur:   []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang"}},
	{culture: "korean (South Korean given names)", surnameFirst: true,
		given: []string{"Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Do-yoon", "Seo-yun", "Ye-jun", "Ji-woo", "Si-woo", "Soo-ah", "Joo-won", "Ha-yoon", "Eun-woo", "Ji-yoo", "Hyun-woo", "Chae-won", "Ji-ho", "Su-bin", "Yu-jin", "Da-eun", "Seung-hyun", "Min-seo", "Jae-won", "Hye-jin", "Dong-hyun"},
		sur:   []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Jeon", "Hong"}},
	{culture: "japanese", surnameFirst: true,
		given: []string{"Haruto", "Yuto", "Sota", "Yuki", "Hayato", "Haruki", "Ryusei", "Koki", "Sora", "Sosuke", "Yui", "Aoi", "Hina", "Yuna", "Sakura", "Rin", "Mio", "Akari", "Hiroshi", "Takeshi", "Kenji", "Naoko", "Yoko", "Keiko", "Tomoko"},
		sur:   []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Yamazaki", "Mori", "Abe", "Ikeda", "Hashimoto", "Ishikawa"}},
	{culture: "south-asian",
		given: []string{"Amit", "Rahul", "Priya", "Anjali", "Sanjay", "Vikram", "Deepak", "Sunita", "Pooja", "Rajesh", "Arjun", "Neha", "Rohan", "Kavita", "Suresh", "Imran", "Ayesha", "Bilal", "Farhan", "Sana", "Rakib", "Nusrat", "Tanvir", "Anil", "Meena"},
		sur:   []string{"Sharma", "Patel", "Gupta", "Singh", "Kumar", "Verma", "Reddy", "Iyer", "Nair", "Mehta", "Joshi", "Chopra", "Desai", "Malhotra", "Kapoor", "Bhatt", "Rao", "Das", "Chatterjee", "Banerjee", "Hossain", "Chowdhury", "Siddiqui", "Qureshi", "Butt"}},
	{culture: "vietnamese-turkish-african", surnameFirst: false,
		given: []string{"Minh", "Thanh", "Huong", "Lan", "Tuan", "Mehmet", "Mustafa", "Emine", "Ayse", "Fatma", "Kwame", "Kofi", "Ama", "Chinedu", "Ngozi", "Oluwaseun", "Adebayo", "Thabo", "Sipho", "Zanele", "Wanjiru", "Otieno", "Amina", "Halima", "Abebe"},
		sur:   []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Mensah", "Boateng", "Okafor", "Okonkwo", "Adeyemi", "Nkosi", "Dlamini", "Mwangi", "Kamau", "Ochieng", "Bello", "Abubakar", "Tesfaye", "Haile", "Diallo"}},
}

// Words for company names of firms nobody listed: a distinctive word, a line
// of business and a legal form, all ordinary.
var (
	companyHeads  = []string{"Northwind", "Bluewater", "Silverline", "Greenfield", "Brightstar", "Redwood", "Summit", "Evergreen", "Blue Harbor", "Golden Gate", "Clearview", "Riverside", "Oakridge", "Maple Leaf", "Sunrise", "Crescent", "Pinnacle", "Horizon", "Lakeside", "Highland", "Sterling", "Westbrook", "Fairview", "Aurora", "Cedar"}
	companyTrades = []string{"Logistics", "Trading", "Software", "Consulting", "Shipping", "Foods", "Textiles", "Pharmaceuticals", "Construction", "Energy", "Electronics", "Capital", "Insurance", "Motors", "Media", "Analytics", "Packaging", "Chemicals", "Realty", "Telecom"}
	companyForms  = []string{"Ltd", "LLC", "Inc.", "GmbH", "S.A.", "Co., Ltd.", "PLC", "B.V.", "Corporation", "JSC", "Pty Ltd", "AG", "S.r.l.", "Limited", ""}
)

// nonMatchNames returns n reproducible names of people and companies drawn
// from the lists above: two thirds people, one third companies.
func nonMatchNames(n int) []string {
	r := rand.New(rand.NewPCG(3, 2025))
	seen := make(map[string]bool)
	var out []string
	for len(out) < n {
		var name string
		if len(out)%3 == 2 {
			name = strings.TrimSpace(fmt.Sprintf("%s %s %s", pick(r, companyHeads), pick(r, companyTrades), pick(r, companyForms)))
		} else {
			c := commonNames[r.IntN(len(commonNames))]
			g, s := pick(r, c.given), pick(r, c.sur)
			name = g + " " + s
			if c.surnameFirst {
				name = s + " " + g
			}
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func pick(r *rand.Rand, l []string) string { return l[r.IntN(len(l))] }

// listedNames is the set of every listed name as a sorted multiset of its
// meaningful words, to tell a "non-matching" generated name that is in fact
// somebody's listed name (a true hit) from a real non-match.
func listedNames(ents []sanctions.Entity) map[string]bool {
	m := make(map[string]bool)
	for _, e := range ents {
		for _, n := range e.Names {
			for _, v := range nameVariants(n.Full) {
				m[wordKey(v)] = true
			}
		}
	}
	return m
}

func wordKey(name string) string {
	var ws []string
	for _, w := range normalizeTokens(nil, name) {
		if !noiseWords[w] {
			ws = append(ws, w)
		}
	}
	slices.Sort(ws)
	return strings.Join(ws, " ")
}

// variant is a listed name changed the way people misspell or rewrite it.
type variant struct {
	kind, query string
	entity      string
}

// variants makes n reproducible variants of names drawn at random from the
// entities' Latin-script names: one typing error in one word of five or more
// letters, the words in another order, or an honorific, suffix or case and
// punctuation change.
func variants(ents []sanctions.Entity, n int, seed uint64) []variant {
	r := rand.New(rand.NewPCG(seed, 11))
	var out []variant
	for len(out) < n {
		e := &ents[r.IntN(len(ents))]
		nm := e.Names[r.IntN(len(e.Names))]
		if !isASCII(nm.Full) && !strings.ContainsFunc(nm.Full, isLatinLetter) {
			continue
		}
		words := normalizeTokens(nil, nm.Full)
		if len(words) < 2 || len(words) > 6 || wordKey(nm.Full) == "" {
			continue
		}
		var v variant
		switch k := r.IntN(4); k {
		case 0, 1:
			v = variant{kind: "typo", query: typo(r, nm.Full)}
		case 2:
			slices.Reverse(words)
			v = variant{kind: "reordered", query: strings.Join(words, " ")}
		default:
			v = variant{kind: "noise", query: withNoise(r, e.Type, nm.Full)}
		}
		if v.query == "" {
			continue
		}
		v.entity = e.ID
		out = append(out, v)
	}
	return out
}

func isLatinLetter(r rune) bool {
	return r < 0x250 && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0)
}

// typo makes one typing error (substitution, deletion, insertion or swap of
// neighbours) inside one word of five letters or more, not in its first
// letter; "" if the name has no such word.
func typo(r *rand.Rand, name string) string {
	fields := strings.Fields(name)
	var long []int
	for i, f := range fields {
		if isASCII(f) && len(f) >= 5 && !strings.ContainsAny(f, ".-,'()0123456789") {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return ""
	}
	i := long[r.IntN(len(long))]
	w := []byte(fields[i])
	p := 1 + r.IntN(len(w)-2)
	letter := byte('a' + r.IntN(26))
	switch r.IntN(4) {
	case 0:
		w[p] = letter
	case 1:
		w = slices.Delete(w, p, p+1)
	case 2:
		w = slices.Insert(w, p, letter)
	default:
		w[p], w[p+1] = w[p+1], w[p]
	}
	fields[i] = string(w)
	return strings.Join(fields, " ")
}

// withNoise adds an honorific to a person's name or a legal form to another
// party's, and changes the case.
func withNoise(r *rand.Rand, t sanctions.EntityType, name string) string {
	if t == sanctions.TypeIndividual {
		return strings.ToUpper(pick(r, []string{"Mr. ", "Dr ", "Haji ", "Sheikh ", "Mrs "}) + name)
	}
	return strings.ToLower(name + pick(r, []string{" Ltd", " LLC", " Co., Ltd.", " JSC", " Corporation", " GmbH"}))
}

// hardVariants makes n reproducible variants harder than variants makes, for
// figures only: an error in the first letter (which Jaro–Winkler weighs most),
// two errors in one name, or a word of a name of three or more words left
// out (a middle name or a patronymic, as customers' records often do).
func hardVariants(ents []sanctions.Entity, n int, seed uint64) []variant {
	r := rand.New(rand.NewPCG(seed, 13))
	var out []variant
	for len(out) < n {
		e := &ents[r.IntN(len(ents))]
		nm := e.Names[r.IntN(len(e.Names))]
		if !isASCII(nm.Full) || wordKey(nm.Full) == "" {
			continue
		}
		var v variant
		switch r.IntN(3) {
		case 0:
			fields := strings.Fields(nm.Full)
			i := r.IntN(len(fields))
			if len(fields[i]) < 5 || !isASCII(fields[i]) || strings.ContainsAny(fields[i], ".-,'()0123456789") {
				continue
			}
			w := []byte(fields[i])
			w[0] = byte('A' + r.IntN(26))
			fields[i] = string(w)
			v = variant{kind: "first-letter", query: strings.Join(fields, " ")}
		case 1:
			q := typo(r, nm.Full)
			if q != "" {
				q = typo(r, q)
			}
			v = variant{kind: "two-typos", query: q}
		default:
			if e.Type != sanctions.TypeIndividual {
				continue
			}
			fields := strings.Fields(nm.Full)
			if len(fields) < 3 {
				continue
			}
			i := 1 + r.IntN(len(fields)-1)
			v = variant{kind: "word-left-out", query: strings.Join(slices.Delete(fields, i, i+1), " ")}
		}
		if v.query == "" || strings.EqualFold(v.query, nm.Full) {
			continue
		}
		v.entity = e.ID
		out = append(out, v)
	}
	return out
}
