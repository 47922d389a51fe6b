// Package refdata holds reference tables that tidtam needs at start-up and
// that change only by law or royal decree, written in code so the binary
// works without any data file. The shared CSV files under shared/data are
// the single source of truth for the values; tests compare this code with
// them row by row.
package refdata

import "strings"

// Province is one of Thailand's 77 provinces (76 จังหวัด plus Bangkok).
type Province struct {
	// Code is the DOPA 2-digit province code, "10" (Bangkok) … "96".
	Code string
	// ISO is the ISO 3166-2 subdivision code, always "TH-" + Code.
	ISO string
	// NameTH is the Thai name without the word "จังหวัด".
	NameTH string
	// NameEN is the ISO 3166-2 (RTGS) English name, except that Bangkok is
	// "Bangkok" rather than "Krung Thep Maha Nakhon".
	NameEN string
	// Region is the MOI inspection region (เขตตรวจราชการ) 1–18, or 0 for
	// Bangkok (ส่วนกลาง).
	Region int
}

// Provinces lists all 77 provinces ordered by Code. Callers must treat it
// as read-only.
var Provinces = []Province{
	{Code: "10", ISO: "TH-10", NameTH: "กรุงเทพมหานคร", NameEN: "Bangkok", Region: 0},
	{Code: "11", ISO: "TH-11", NameTH: "สมุทรปราการ", NameEN: "Samut Prakan", Region: 2},
	{Code: "12", ISO: "TH-12", NameTH: "นนทบุรี", NameEN: "Nonthaburi", Region: 2},
	{Code: "13", ISO: "TH-13", NameTH: "ปทุมธานี", NameEN: "Pathum Thani", Region: 2},
	{Code: "14", ISO: "TH-14", NameTH: "พระนครศรีอยุธยา", NameEN: "Phra Nakhon Si Ayutthaya", Region: 1},
	{Code: "15", ISO: "TH-15", NameTH: "อ่างทอง", NameEN: "Ang Thong", Region: 1},
	{Code: "16", ISO: "TH-16", NameTH: "ลพบุรี", NameEN: "Lop Buri", Region: 1},
	{Code: "17", ISO: "TH-17", NameTH: "สิงห์บุรี", NameEN: "Sing Buri", Region: 1},
	{Code: "18", ISO: "TH-18", NameTH: "ชัยนาท", NameEN: "Chai Nat", Region: 1},
	{Code: "19", ISO: "TH-19", NameTH: "สระบุรี", NameEN: "Saraburi", Region: 1},
	{Code: "20", ISO: "TH-20", NameTH: "ชลบุรี", NameEN: "Chon Buri", Region: 8},
	{Code: "21", ISO: "TH-21", NameTH: "ระยอง", NameEN: "Rayong", Region: 8},
	{Code: "22", ISO: "TH-22", NameTH: "จันทบุรี", NameEN: "Chanthaburi", Region: 9},
	{Code: "23", ISO: "TH-23", NameTH: "ตราด", NameEN: "Trat", Region: 9},
	{Code: "24", ISO: "TH-24", NameTH: "ฉะเชิงเทรา", NameEN: "Chachoengsao", Region: 8},
	{Code: "25", ISO: "TH-25", NameTH: "ปราจีนบุรี", NameEN: "Prachin Buri", Region: 9},
	{Code: "26", ISO: "TH-26", NameTH: "นครนายก", NameEN: "Nakhon Nayok", Region: 9},
	{Code: "27", ISO: "TH-27", NameTH: "สระแก้ว", NameEN: "Sa Kaeo", Region: 9},
	{Code: "30", ISO: "TH-30", NameTH: "นครราชสีมา", NameEN: "Nakhon Ratchasima", Region: 13},
	{Code: "31", ISO: "TH-31", NameTH: "บุรีรัมย์", NameEN: "Buri Ram", Region: 13},
	{Code: "32", ISO: "TH-32", NameTH: "สุรินทร์", NameEN: "Surin", Region: 13},
	{Code: "33", ISO: "TH-33", NameTH: "ศรีสะเกษ", NameEN: "Si Sa Ket", Region: 14},
	{Code: "34", ISO: "TH-34", NameTH: "อุบลราชธานี", NameEN: "Ubon Ratchathani", Region: 14},
	{Code: "35", ISO: "TH-35", NameTH: "ยโสธร", NameEN: "Yasothon", Region: 14},
	{Code: "36", ISO: "TH-36", NameTH: "ชัยภูมิ", NameEN: "Chaiyaphum", Region: 13},
	{Code: "37", ISO: "TH-37", NameTH: "อำนาจเจริญ", NameEN: "Amnat Charoen", Region: 14},
	{Code: "38", ISO: "TH-38", NameTH: "บึงกาฬ", NameEN: "Bueng Kan", Region: 10},
	{Code: "39", ISO: "TH-39", NameTH: "หนองบัวลำภู", NameEN: "Nong Bua Lam Phu", Region: 10},
	{Code: "40", ISO: "TH-40", NameTH: "ขอนแก่น", NameEN: "Khon Kaen", Region: 12},
	{Code: "41", ISO: "TH-41", NameTH: "อุดรธานี", NameEN: "Udon Thani", Region: 10},
	{Code: "42", ISO: "TH-42", NameTH: "เลย", NameEN: "Loei", Region: 10},
	{Code: "43", ISO: "TH-43", NameTH: "หนองคาย", NameEN: "Nong Khai", Region: 10},
	{Code: "44", ISO: "TH-44", NameTH: "มหาสารคาม", NameEN: "Maha Sarakham", Region: 12},
	{Code: "45", ISO: "TH-45", NameTH: "ร้อยเอ็ด", NameEN: "Roi Et", Region: 12},
	{Code: "46", ISO: "TH-46", NameTH: "กาฬสินธุ์", NameEN: "Kalasin", Region: 12},
	{Code: "47", ISO: "TH-47", NameTH: "สกลนคร", NameEN: "Sakon Nakhon", Region: 11},
	{Code: "48", ISO: "TH-48", NameTH: "นครพนม", NameEN: "Nakhon Phanom", Region: 11},
	{Code: "49", ISO: "TH-49", NameTH: "มุกดาหาร", NameEN: "Mukdahan", Region: 11},
	{Code: "50", ISO: "TH-50", NameTH: "เชียงใหม่", NameEN: "Chiang Mai", Region: 15},
	{Code: "51", ISO: "TH-51", NameTH: "ลำพูน", NameEN: "Lamphun", Region: 15},
	{Code: "52", ISO: "TH-52", NameTH: "ลำปาง", NameEN: "Lampang", Region: 15},
	{Code: "53", ISO: "TH-53", NameTH: "อุตรดิตถ์", NameEN: "Uttaradit", Region: 17},
	{Code: "54", ISO: "TH-54", NameTH: "แพร่", NameEN: "Phrae", Region: 16},
	{Code: "55", ISO: "TH-55", NameTH: "น่าน", NameEN: "Nan", Region: 16},
	{Code: "56", ISO: "TH-56", NameTH: "พะเยา", NameEN: "Phayao", Region: 16},
	{Code: "57", ISO: "TH-57", NameTH: "เชียงราย", NameEN: "Chiang Rai", Region: 16},
	{Code: "58", ISO: "TH-58", NameTH: "แม่ฮ่องสอน", NameEN: "Mae Hong Son", Region: 15},
	{Code: "60", ISO: "TH-60", NameTH: "นครสวรรค์", NameEN: "Nakhon Sawan", Region: 18},
	{Code: "61", ISO: "TH-61", NameTH: "อุทัยธานี", NameEN: "Uthai Thani", Region: 18},
	{Code: "62", ISO: "TH-62", NameTH: "กำแพงเพชร", NameEN: "Kamphaeng Phet", Region: 18},
	{Code: "63", ISO: "TH-63", NameTH: "ตาก", NameEN: "Tak", Region: 17},
	{Code: "64", ISO: "TH-64", NameTH: "สุโขทัย", NameEN: "Sukhothai", Region: 17},
	{Code: "65", ISO: "TH-65", NameTH: "พิษณุโลก", NameEN: "Phitsanulok", Region: 17},
	{Code: "66", ISO: "TH-66", NameTH: "พิจิตร", NameEN: "Phichit", Region: 18},
	{Code: "67", ISO: "TH-67", NameTH: "เพชรบูรณ์", NameEN: "Phetchabun", Region: 17},
	{Code: "70", ISO: "TH-70", NameTH: "ราชบุรี", NameEN: "Ratchaburi", Region: 3},
	{Code: "71", ISO: "TH-71", NameTH: "กาญจนบุรี", NameEN: "Kanchanaburi", Region: 3},
	{Code: "72", ISO: "TH-72", NameTH: "สุพรรณบุรี", NameEN: "Suphan Buri", Region: 3},
	{Code: "73", ISO: "TH-73", NameTH: "นครปฐม", NameEN: "Nakhon Pathom", Region: 2},
	{Code: "74", ISO: "TH-74", NameTH: "สมุทรสาคร", NameEN: "Samut Sakhon", Region: 4},
	{Code: "75", ISO: "TH-75", NameTH: "สมุทรสงคราม", NameEN: "Samut Songkhram", Region: 4},
	{Code: "76", ISO: "TH-76", NameTH: "เพชรบุรี", NameEN: "Phetchaburi", Region: 4},
	{Code: "77", ISO: "TH-77", NameTH: "ประจวบคีรีขันธ์", NameEN: "Prachuap Khiri Khan", Region: 4},
	{Code: "80", ISO: "TH-80", NameTH: "นครศรีธรรมราช", NameEN: "Nakhon Si Thammarat", Region: 5},
	{Code: "81", ISO: "TH-81", NameTH: "กระบี่", NameEN: "Krabi", Region: 6},
	{Code: "82", ISO: "TH-82", NameTH: "พังงา", NameEN: "Phangnga", Region: 6},
	{Code: "83", ISO: "TH-83", NameTH: "ภูเก็ต", NameEN: "Phuket", Region: 6},
	{Code: "84", ISO: "TH-84", NameTH: "สุราษฎร์ธานี", NameEN: "Surat Thani", Region: 5},
	{Code: "85", ISO: "TH-85", NameTH: "ระนอง", NameEN: "Ranong", Region: 6},
	{Code: "86", ISO: "TH-86", NameTH: "ชุมพร", NameEN: "Chumphon", Region: 5},
	{Code: "90", ISO: "TH-90", NameTH: "สงขลา", NameEN: "Songkhla", Region: 5},
	{Code: "91", ISO: "TH-91", NameTH: "สตูล", NameEN: "Satun", Region: 6},
	{Code: "92", ISO: "TH-92", NameTH: "ตรัง", NameEN: "Trang", Region: 6},
	{Code: "93", ISO: "TH-93", NameTH: "พัทลุง", NameEN: "Phatthalung", Region: 5},
	{Code: "94", ISO: "TH-94", NameTH: "ปัตตานี", NameEN: "Pattani", Region: 7},
	{Code: "95", ISO: "TH-95", NameTH: "ยะลา", NameEN: "Yala", Region: 7},
	{Code: "96", ISO: "TH-96", NameTH: "นราธิวาส", NameEN: "Narathiwat", Region: 7},
}

// byCode and byName index Provinces once; the table never changes at run
// time.
var (
	byCode = map[string]int{}
	byName = map[string]int{}
)

// nameAliases are other spellings people type for a province, keyed by
// province code. They are looked up after the same normalisation as the
// official names.
var nameAliases = map[string][]string{
	"10": {"กรุงเทพฯ", "กรุงเทพ", "กทม.", "Krung Thep Maha Nakhon"},
	"16": {"Lopburi"},
	"31": {"Buriram"},
	"33": {"Sisaket"},
	"82": {"Phang Nga"},
}

func init() {
	for i, p := range Provinces {
		byCode[p.Code] = i
		byName[nameKey(p.NameTH)] = i
		byName[nameKey(p.NameEN)] = i
	}
	for code, names := range nameAliases {
		for _, n := range names {
			byName[nameKey(n)] = byCode[code]
		}
	}
}

// ProvinceByCode returns the province with the given DOPA code ("50"), or
// false when there is none. Surrounding spaces are ignored.
func ProvinceByCode(code string) (Province, bool) {
	i, ok := byCode[strings.TrimSpace(code)]
	if !ok {
		return Province{}, false
	}
	return Provinces[i], true
}

// ProvinceByName returns the province whose Thai or English name is name,
// or false when there is none. Matching ignores case, spaces, hyphens and
// dots, and a leading "จังหวัด" or "จ.", so "Buri Ram", "buriram" and
// "จังหวัดบุรีรัมย์" all find Buri Ram; a few common other spellings
// (e.g. "กทม.", "Lopburi") are accepted too.
func ProvinceByName(name string) (Province, bool) {
	i, ok := byName[nameKey(name)]
	if !ok {
		return Province{}, false
	}
	return Provinces[i], true
}

// nameKey folds a province name to the form used as a lookup key.
func nameKey(name string) string {
	name = strings.TrimSpace(name)
	name = strings.TrimPrefix(name, "จังหวัด")
	name = strings.TrimPrefix(name, "จ.")
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch r {
		case ' ', '-', '.', '\t':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
