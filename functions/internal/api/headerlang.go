package api

// HeaderLang is the site's language for an Accept-Language header: "ar"
// when Arabic has a higher weight than English, else "en". cmd/serve's
// "being built" page chooses its first language with it.
func HeaderLang(acceptLanguage string) string { return headerLang(acceptLanguage) }
