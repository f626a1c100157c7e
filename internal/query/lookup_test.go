package query

import "testing"

func TestLookupNameMakesAttributeNames(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain names are kept", "testuser1", "testuser1"},
		{"a leading digit gets the prefix", "1abc", "ln_1abc"},
		{"a keyword gets the prefix", "class", "ln_class"},
		{"spaces become underscores and case is lowered", "Cell Ranger", "cell_ranger"},
		{"a run of symbols becomes one underscore", "a--b", "a_b"},
		{"underscores are kept", "a__b", "a__b"},
		{"dots and slashes are symbols", "fastq/R1.fastq.gz", "fastq_r1_fastq_gz"},
		{"a leading symbol gets the prefix", "-x", "ln__x"},
		{"non-ASCII letters are symbols", "über", "ln__ber"},
		{"an empty value gets the prefix", "", "ln_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LookupName(tt.in); got != tt.want {
				t.Errorf("LookupName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLookupFieldDefaultsToTheDisplayField(t *testing.T) {
	tests := []struct {
		name string
		reg  *Registry
		want string
	}{
		{"users look up by handle", User, "handle"},
		{"transforms look up by key", Transform, "key"},
		{"storages look up by root", Storage, "root"},
		{"artifacts look up by key", Artifact, "key"},
		{"runs fall back to name", Run, "name"},
		{"a registry without either uses its first text column", &Registry{Columns: []Column{{Name: "id", SQL: "id", Type: Int, Hidden: true}, {Name: "n", SQL: "n", Type: Int}, {Name: "label", SQL: "label", Type: Text}}}, "label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LookupField(tt.reg); got != tt.want {
				t.Errorf("LookupField(%s) = %q, want %q", tt.reg.Name, got, tt.want)
			}
		})
	}
}
