// Package bluetree gives Go the theme's translations (i18n/*.yaml), so a
// text both the pages and the enquiry function show, and the function's
// messages to visitors, are written once. (Hugo mounts only the theme's
// folders, never this file.)
package bluetree

import (
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed i18n/en.yaml i18n/ar.yaml
var i18nFS embed.FS

// translations maps language -> id -> text, parsed once; a text with plural
// forms is kept as "id.one", "id.few" … as Hugo's i18n files write them.
var translations = sync.OnceValue(func() map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for _, lang := range []string{"en", "ar"} {
		b, err := i18nFS.ReadFile("i18n/" + lang + ".yaml")
		var all map[string]any
		if err == nil {
			err = yaml.Unmarshal(b, &all)
		}
		out[lang] = map[string]*template.Template{}
		add := func(id string, v any) {
			if s, ok := v.(string); ok && err == nil {
				out[lang][id], err = template.New(id).Option("missingkey=error").Parse(s)
			}
		}
		for id, v := range all {
			add(id, v)
			if forms, ok := v.(map[string]any); ok {
				for form, s := range forms {
					add(id+"."+form, s)
				}
			}
		}
		if err != nil {
			panic(fmt.Sprintf("themes/bluetree/i18n/%s.yaml: %v", lang, err))
		}
	}
	return out
})

// pluralForms names plural.Form values as the i18n files do.
var pluralForms = [...]string{plural.Other: "other", plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many"}

// Has reports whether the text id exists in lang.
func Has(lang, id string) bool {
	ts := translations()[lang]
	_, plain := ts[id]
	_, counted := ts[id+".other"]
	return plain || counted
}

// T returns the text id in lang ("en" or "ar") with args filling its
// {{ .Name }} fields, as Hugo's T does: for a text with plural forms, the
// form CLDR gives the int args["Count"] in lang. A missing id panics: the
// theme and the program ship together.
func T(lang, id string, args map[string]any) string {
	ts := translations()[lang]
	t, ok := ts[id]
	if n, counted := args["Count"].(int); !ok && counted {
		if t, ok = ts[id+"."+pluralForms[plural.Cardinal.MatchPlural(language.Make(lang), n, 0, 0, 0, 0)]]; !ok {
			t, ok = ts[id+".other"]
		}
	}
	if !ok {
		panic(fmt.Sprintf("themes/bluetree/i18n/%s.yaml: no %q", lang, id))
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		panic(fmt.Sprintf("themes/bluetree/i18n/%s.yaml: %s: %v", lang, id, err))
	}
	return b.String()
}

// Weekday is the site's name of a day of the week (i18n day_monday …).
func Weekday(lang string, d time.Weekday) string {
	return T(lang, "day_"+strings.ToLower(d.String()), nil)
}

// Day writes the date of t (in t's time zone) for a visitor, "Thursday 26
// November" (i18n day_date and month_1 … month_12).
func Day(lang string, t time.Time) string {
	return T(lang, "day_date", map[string]any{
		"Weekday": Weekday(lang, t.Weekday()), "Day": t.Day(), "Month": T(lang, fmt.Sprintf("month_%d", t.Month()), nil),
	})
}
