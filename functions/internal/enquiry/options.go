package enquiry

// Option is one allowed value of a choice field, with what a person reads.
type Option struct {
	Value string
	En    string
	Ar    string
}

// Choices lists, for every choice field, its allowed values in the order the
// forms show them. The site's forms must offer exactly these values (the
// contract test checks it); the email shows the English label.
var Choices = map[string][]Option{
	FieldKind: {
		{KindAppointment, "Appointment request", "طلب موعد"},
		{KindSuitability, "Suitability check", "استفسار عن مدى الملاءمة"},
	},
	FieldLang: {
		{LangEnglish, "English", "الإنجليزية"},
		{LangArabic, "Arabic", "العربية"},
	},
	FieldContact: {
		{"phone", "Phone call", "اتصال هاتفي"},
		{"whatsapp", "WhatsApp", "واتساب"},
		{"email", "Email", "البريد الإلكتروني"},
	},
	FieldTime: {
		{"morning", "Morning", "صباحاً"},
		{"afternoon", "Afternoon", "بعد الظهر"},
		{"evening", "Evening", "مساءً"},
		{"any", "Any time", "أي وقت"},
	},
	FieldArea: {
		{"knee", "Knee", "الركبة"},
		{"hip", "Hip", "الورك"},
		{"shoulder", "Shoulder", "الكتف"},
		{"back", "Back or neck", "الظهر أو الرقبة"},
		{"ankle-foot", "Ankle or foot", "الكاحل أو القدم"},
		{"elbow-wrist-hand", "Elbow, wrist or hand", "المرفق أو الرسغ أو اليد"},
		{"other", "Somewhere else", "مكان آخر"},
	},
	FieldCondition: {
		{"osteoarthritis", "Osteoarthritis", "الفصال العظمي (خشونة المفاصل)"},
		{"sports-injury", "Sports injury", "إصابة رياضية"},
		{"tendon-soft-tissue", "Tendon or soft-tissue problem", "مشكلة في الأوتار أو الأنسجة الرخوة"},
		{"other", "Something else", "حالة أخرى"},
		{"unsure", "Not sure", "لست متأكداً"},
	},
	FieldDuration: {
		{"under-3-months", "Less than 3 months", "أقل من 3 أشهر"},
		{"3-12-months", "3 to 12 months", "من 3 إلى 12 شهراً"},
		{"1-5-years", "1 to 5 years", "من سنة إلى 5 سنوات"},
		{"over-5-years", "More than 5 years", "أكثر من 5 سنوات"},
	},
	FieldTried: {
		{"physiotherapy", "Physiotherapy or exercise", "العلاج الطبيعي أو التمارين"},
		{"painkillers", "Painkillers or anti-inflammatory tablets", "المسكنات أو الأقراص المضادة للالتهاب"},
		{"steroid-injection", "Steroid injection", "حقن الكورتيزون"},
		{"hyaluronic-acid", "Hyaluronic acid injection", "حقن حمض الهيالورونيك"},
		{"prp", "PRP injection", "حقن البلازما الغنية بالصفائح (PRP)"},
		{"surgery", "Surgery", "الجراحة"},
		{"none", "Nothing yet", "لم أجرّب شيئاً بعد"},
	},
	FieldThinners: {
		{"yes", "Yes", "نعم"},
		{"no", "No", "لا"},
		{"unsure", "Not sure", "لست متأكداً"},
	},
}

// FieldLabels names each field the way a visitor reads it, used in error
// messages and in the reception email (English).
var FieldLabels = map[string]struct{ En, Ar string }{
	FieldName:      {"Full name", "الاسم الكامل"},
	FieldEmail:     {"Email address", "البريد الإلكتروني"},
	FieldPhone:     {"Phone number", "رقم الهاتف"},
	FieldContact:   {"How should we contact you", "طريقة التواصل المفضلة"},
	FieldConsent:   {"Consent", "الموافقة"},
	FieldDate:      {"Preferred date", "التاريخ المفضل"},
	FieldTime:      {"Preferred time of day", "الوقت المفضل من اليوم"},
	FieldMessage:   {"Message", "الرسالة"},
	FieldArea:      {"Affected area", "المنطقة المصابة"},
	FieldCondition: {"Condition", "الحالة"},
	FieldDuration:  {"How long", "منذ متى"},
	FieldPain:      {"Pain (0 to 10)", "شدة الألم (من 0 إلى 10)"},
	FieldTried:     {"Treatments already tried", "العلاجات التي جرّبتها"},
	FieldThinners:  {"Taking blood thinners", "تناول مميّعات الدم"},
	FieldNote:      {"Note", "ملاحظة"},
}

// Label returns the label of a choice value in lang ("en" or "ar"), or the
// value itself when it is not one of the listed choices.
func Label(field, value, lang string) string {
	for _, o := range Choices[field] {
		if o.Value == value {
			if lang == LangArabic {
				return o.Ar
			}
			return o.En
		}
	}
	return value
}
