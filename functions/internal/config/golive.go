package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/bluetreeclinics/site/data"
)

// SITE_ENV says whether this instance serves the live site. Only
// "production" changes anything: the function then refuses to start while
// data/clinic.yaml still marks clinic details as sample values (the same list
// the site's production build checks, data/golive.yaml) or while SITE_URL is
// an example or local address, so patients never get a sample phone number in
// an acknowledgement. Anything else (unset: a computer, a test, a deploy
// preview) runs with the sample details. On Netlify, set SITE_ENV=production
// for the Production context only.
const siteEnvVar = "SITE_ENV"

// liveSite reads SITE_ENV and, in production, checks the clinic's details:
// the live site starts only when none is a sample value.
func (l *loader) liveSite(clinic data.Clinic, siteURL *url.URL) {
	switch v := strings.ToLower(l.str(siteEnvVar)); v {
	case "production":
		if err := checkLiveDetails(clinic, siteURL); err != nil {
			l.fail(siteEnvVar, "is production, but %v", err)
		}
	case "", "preview", "development":
	default:
		l.fail(siteEnvVar, "%q is not production, preview or development", v)
	}
}

// checkLiveDetails names the clinic details that still hold sample values,
// and where to set each one.
func checkLiveDetails(clinic data.Clinic, siteURL *url.URL) error {
	var problems []string
	for _, f := range clinic.SampleFacts() {
		problems = append(problems, fmt.Sprintf("%s: set it in %s", f.What, f.Where))
	}
	if siteURL != nil {
		host := siteURL.Hostname()
		if strings.HasSuffix(host, ".example") || host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasPrefix(host, "127.") {
			problems = append(problems, fmt.Sprintf("SITE_URL %s is not the live site's address", siteURL))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("these details still hold sample values or are missing:\n  - %s\nFill them in and delete their names from the \"sample\" list at the end of data/clinic.yaml (a missing one, the clinicians, only needs adding), then deploy again", strings.Join(problems, "\n  - "))
}
