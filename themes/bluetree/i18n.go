// Package bluetree gives Go the theme's translations (i18n/*.yaml), so a
// text both the pages and the enquiry function show is written once. (Hugo
// mounts only the theme's folders, never this file.)
package bluetree

import (
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"go.yaml.in/yaml/v3"
)

//go:embed i18n/en.yaml i18n/ar.yaml
var i18nFS embed.FS

// translations maps language -> id -> text, parsed once, keeping only plain
// texts (not Hugo's plural forms).
var translations = sync.OnceValue(func() map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for _, lang := range []string{"en", "ar"} {
		b, err := i18nFS.ReadFile("i18n/" + lang + ".yaml")
		var all map[string]any
		if err == nil {
			err = yaml.Unmarshal(b, &all)
		}
		out[lang] = map[string]*template.Template{}
		for id, v := range all {
			if s, ok := v.(string); ok && err == nil {
				out[lang][id], err = template.New(id).Option("missingkey=error").Parse(s)
			}
		}
		if err != nil {
			panic(fmt.Sprintf("themes/bluetree/i18n/%s.yaml: %v", lang, err))
		}
	}
	return out
})

// T returns the text id in lang ("en" or "ar") with args filling its
// {{ .Name }} fields, as Hugo's T does. A missing id panics: the theme and
// the program ship together.
func T(lang, id string, args map[string]string) string {
	t, ok := translations()[lang][id]
	if !ok {
		panic(fmt.Sprintf("themes/bluetree/i18n/%s.yaml: no %q", lang, id))
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		panic(fmt.Sprintf("themes/bluetree/i18n/%s.yaml: %s: %v", lang, id, err))
	}
	return b.String()
}
