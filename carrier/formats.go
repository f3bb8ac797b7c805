package carrier

// formatRow is a number format that a carrier's own documentation, or a
// code list published with the original service, describes in words; it
// is read as a regular expression like the public patterns. Source names
// where the description comes from, in the form the development numbers
// name their sources (shared/data/carriers/real_numbers_dev.jsonl), so that
// an evaluation can leave out the formats written from the numbers it
// holds out.
type formatRow struct {
	code   string
	expr   string
	source string // several joined by "|"
}

// Sources of the documented formats (shared/data/carriers/number_formats.md).
const (
	// srcK100A is Kuaidi100's own company list (format descriptions and
	// regular expressions, ≈2016–2017), bundled in a JS file.
	srcK100A = "github file id 15792319688"
	// srcK100B is an older copy of the same list (2014–2015).
	srcK100B = "github:roylez/alfred_kuaidi@company.json"
	// srcPyRule is a rule file whose docstring cites the carriers' own
	// sites for its rules.
	srcPyRule = "github file id 46282433991"
)

// documentedFormats are the formats of shared/data/carriers/number_formats.md
// that the sources state as facts — "12 digits", "commonly starting 268" —
// not what the development numbers happen to look like (its [DEV] notes).
// "Commonly starting X" is written as a second alternative beside the bare
// format, so that those prefixes weigh more without excluding the others.
var documentedFormats = [...]formatRow{
	{"shunfeng", `^[0-9]{12}$`, srcK100A},
	{"shunfeng", `^[0-9]{12}$`, srcK100B},
	{"shunfeng", `^[0-9]{12}$`, srcPyRule}, // "运单号只能为12位数字", citing SF's site
	{"zhongtong", `^[0-9]{12}$|^(2008[0-9]{8}|6[0-9]{11}|010[0-9]{9})$`, srcK100A},
	{"zhongtong", `^[0-9A-Z]{12}$`, srcPyRule}, // 12 characters, citing ZTO's site
	{"yuantong", `^[0-9A-Z]{10}$|^[68V][0-9A-Z]{9}$`, srcK100A},
	{"yuantong", `^[0-9A-Z]{10}$|^[68V][0-9A-Z]{9}$`, srcK100B},
	{"yuantong", `^[0-9A-Z]{10,12}$|^88[0-9A-Z]{16}$`, srcPyRule},
	{"yunda", `^[0-9]{13}$`, srcK100A},
	{"yunda", `^[0-9]{13}$`, srcK100B},
	{"yunda", `^[0-9]{13}$`, srcPyRule},
	{"shentong", `^[0-9]{12,13}$|^(268|368)[0-9]{9}$|^58[0-9]{10}$`, srcK100A},
	{"shentong", `^[0-9]{12,13}$|^(268|368)[0-9]{9}$|^58[0-9]{10}$`, srcK100B},
	{"shentong", `^[0-9]{12,13}$`, srcPyRule},
	{"ems", `^[0-9]{13}$|^[A-Z]{2}[0-9]{9}[A-Z]{2}$`, srcK100A},
	{"ems", `^[A-Z]{2}[0-9]{9}[A-Z]{2}$`, srcK100B},
	{"youzhengguonei", `^[A-Z]{2}[0-9]{11}$|^(KA|SB)[0-9]{11}$`, srcK100A},
	{"huitongkuaidi", `^[0-9A-Z]{11,14}$|^50[0-9A-Z]{10,12}$`, srcK100A},
	{"huitongkuaidi", `^[0-9A-Z]{13}$|^[0BH][0-9A-Z]{12}$`, srcK100B},
	{"huitongkuaidi", `^[A-Z][0-9]{10,12}$|^[A-Z]{2}[0-9]{9,11}$|^[0-9]{11,14}$`, srcPyRule},
	// The smaller carriers' descriptions come from K100-A or K100-B
	// (number_formats.md does not say which): both are named.
	{"tiantian", `^[0-9]{12}$|^[0-9]{14}$|^[56][0-9]{11}$|^00[0-9]{10}$|^[56][0-9]{13}$|^00[0-9]{12}$`, srcK100A + "|" + srcK100B},
	{"youshuwuliu", `^[0-9]{12}$`, srcK100A + "|" + srcK100B},
	{"youshuwuliu", `^[0-9]{11,}$`, srcPyRule},
	{"zhaijisong", `^[0-9]{10}$|^[765][0-9]{9}$`, srcK100A + "|" + srcK100B},
	{"zhaijisong", `^[0-9]{10}$`, srcPyRule},
	{"debangwuliu", `^[12][0-9]{7}$`, srcK100A},
	{"debangwuliu", `^[0-9]{8,10}$`, srcPyRule},
	{"quanfengkuaidi", `^[0-9]{10}$|^[0-9]{12}$`, srcK100B},
	{"guotongkuaidi", `^[0-9]{10}$`, srcK100B},
}
