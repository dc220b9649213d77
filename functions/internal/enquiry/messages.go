package enquiry

import "strconv"

// text is one message in both languages.
type text struct{ En, Ar string }

func (t text) in(lang string) string {
	if lang == LangArabic {
		return t.Ar
	}
	return t.En
}

// fieldMessages are our own wording for a failed rule on one field, keyed
// "field.tag". They win over the validator's translations, which are used
// (with the field's label) for any rule not listed here, such as min and maxlen.
// None of them may quote what the visitor typed; {1} is a length rule's
// limit, in characters.
var fieldMessages = map[string]text{
	"kind.required": msgKind,
	"kind.choice":   msgKind,

	"name.required": {"Enter your full name", "أدخل اسمك الكامل"},

	"email.required_if": {
		"Enter your email address, as you chose to be contacted by email",
		"أدخل بريدك الإلكتروني، فقد اخترت التواصل عبر البريد الإلكتروني",
	},
	"email.mailbox": {
		"Enter an email address in the correct format, like name@example.com",
		"أدخل عنوان بريد إلكتروني بصيغة صحيحة، مثل name@example.com",
	},
	"email.email_ascii": {
		"Enter an email address with only English letters, digits and . _ - + before the @, like name@example.com",
		"أدخل عنوان بريد إلكتروني لا يحتوي قبل الرمز @ إلا على أحرف إنجليزية وأرقام و . _ - +، مثل name@example.com",
	},
	"email.email_unquoted": {
		"Enter an email address without quotation marks or spaces, like name@example.com",
		"أدخل عنوان بريد إلكتروني دون علامات اقتباس أو مسافات، مثل name@example.com",
	},

	"phone.required": {
		"Enter your phone number, for example 050 123 4567",
		"أدخل رقم هاتفك، مثل \u2066050 123 4567\u2069", // LRI…PDI: the number reads left to right inside Arabic text
	},
	"phone.maxlen": msgPhone,
	"phone.phone":  msgPhone,

	"contact.required": msgContact,
	"contact.choice":   msgContact,

	"consent.required": msgConsent,
	"consent.eq":       msgConsent,

	"date.required": {"Enter your preferred date", "أدخل التاريخ المفضّل لديك"},
	"date.isodate": {
		"Enter the preferred date as a real date, in the form year-month-day",
		"أدخل التاريخ المفضّل تاريخاً صحيحاً بصيغة السنة-الشهر-اليوم",
	},
	"date.notpast":    {"Choose a date from today onwards", "اختر تاريخاً من اليوم فصاعداً"},
	"date.withinyear": {"Choose a date within the next 12 months", "اختر تاريخاً خلال الأشهر الاثني عشر القادمة"},

	"time.required": msgTime,
	"time.choice":   msgTime,

	"area.required": msgArea,
	"area.choice":   msgArea,

	"condition.required": msgCondition,
	"condition.choice":   msgCondition,

	"duration.required": msgDuration,
	"duration.choice":   msgDuration,

	"pain.required": {
		"Enter how bad your pain is, as a whole number from 0 to 10",
		"أدخل شدة ألمك، رقماً صحيحاً من 0 إلى 10",
	},
	"pain.pain": {
		"Pain must be a whole number from 0 (no pain) to 10 (the worst pain)",
		"يجب أن تكون شدة الألم رقماً صحيحاً من 0 (لا ألم) إلى 10 (أشدّ ألم)",
	},

	"tried.tried_choice": {"Choose treatments from the list", "اختر العلاجات من القائمة"},
	"tried.unique":       {"Choose each treatment only once", "اختر كل علاج مرة واحدة فقط"},
	"tried.tried_none": {
		"Choose “Nothing yet” on its own, or untick it",
		"اختر «لم أجرّب شيئاً بعد» وحده، أو ألغِ تحديده",
	},

	// The Arabic label "ملاحظة" is indefinite; the sentence needs "الملاحظة".
	"note.maxlen": {"Note must be {1} or fewer", "يجب ألا يزيد طول الملاحظة على {1}"},

	"thinners.required": msgThinners,
	"thinners.choice":   msgThinners,
}

var (
	msgKind = text{
		"Choose the kind of enquiry: an appointment request or a suitability check",
		"اختر نوع الاستفسار: طلب موعد أو استفسار عن مدى الملاءمة",
	}
	msgPhone = text{
		"Enter a valid phone number, for example 050 123 4567 or +971 50 123 4567",
		"أدخل رقم هاتف صحيحاً، مثل \u2066050 123 4567\u2069 أو \u2066+971 50 123 4567\u2069", // LRI…PDI: numbers read left to right inside Arabic text
	}
	msgContact = text{
		"Choose how we should contact you: phone call, WhatsApp or email",
		"اختر طريقة التواصل المفضّلة: اتصال هاتفي أو واتساب أو البريد الإلكتروني",
	}
	msgConsent = text{
		"Tick the box to agree that we may use your answers to reply",
		"ضع علامة في المربع للموافقة على استخدام إجاباتك للرد عليك",
	}
	msgTime = text{
		"Choose a preferred time of day",
		"اختر الوقت المفضّل من اليوم",
	}
	msgArea = text{
		"Choose the affected area",
		"اختر المنطقة المصابة",
	}
	msgCondition = text{
		"Choose the condition, or “Not sure”",
		"اختر الحالة، أو «لست متأكداً»",
	}
	msgDuration = text{
		"Choose how long you have had the problem",
		"اختر منذ متى تعاني من المشكلة",
	}
	msgThinners = text{
		"Choose whether you take blood thinners: yes, no or not sure",
		"اختر ما إذا كنت تتناول مميّعات الدم: نعم أو لا أو لست متأكداً",
	}
)

// arCharacters writes "n characters" in Arabic with the noun in the form the
// number takes (ASCII digits, as on the clinic's Arabic pages).
func arCharacters(n int) string {
	d := strconv.Itoa(n)
	switch r := n % 100; {
	case n == 1:
		return "حرف واحد"
	case n == 2:
		return "حرفين"
	case r >= 3 && r <= 10:
		return d + " أحرف"
	case r >= 11:
		return d + " حرفاً"
	default:
		return d + " حرف"
	}
}
