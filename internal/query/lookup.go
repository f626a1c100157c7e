package query

import "strings"

// LookupName turns a field value into LaminDB's lookup attribute name: every
// run of characters outside [0-9a-zA-Z_] becomes '_', the result is
// lower-cased, "ln_" is prefixed when it does not start with a letter, and
// "class" becomes "ln_class".
func LookupName(value string) string {
	var sb strings.Builder
	inRun := false
	for _, r := range value {
		ok := r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			if !inRun {
				sb.WriteByte('_')
			}
			inRun = true
			continue
		}
		inRun = false
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		sb.WriteRune(r)
	}
	s := sb.String()
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "ln_" + s
	}
	if s == "class" {
		s = "ln_class"
	}
	return s
}

// LookupField is the default field of lookup(): the registry's display field,
// else name, else its first text column.
func LookupField(reg *Registry) string {
	if reg.DisplayField != "" {
		return reg.DisplayField
	}
	if c, ok := reg.Column("name"); ok && c.Type == Text {
		return "name"
	}
	for _, c := range reg.Columns {
		if c.Type == Text {
			return c.Name
		}
	}
	return "id"
}
