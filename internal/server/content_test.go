package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lamin-go/lamin"
)

func TestContentRefusesBytesSwappedBehindAnInPlaceArtifact(t *testing.T) {
	f := newFixture(t)
	inPlace := f.save("mydata/data/table.csv", "a,b\n1,2\n", lamin.ArtifactOptions{})
	path := "/api/artifacts/" + inPlace.UID + "/content"
	if res := f.getOK(path); res.body != "a,b\n1,2\n" {
		t.Fatalf("intact file served as %q", res.body)
	}
	p := filepath.Join(f.dir, "mydata", "data", "table.csv")
	secret := f.write("secret.txt", "root:x:0:0:secret\n")

	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, p); err != nil {
		t.Fatal(err)
	}
	res := f.get(path)
	if res.StatusCode != http.StatusForbidden || strings.Contains(res.body, "secret\\n") ||
		!strings.Contains(res.errorMessage(t), "resolves outside the storage root") {
		t.Errorf("a symlink out of the storage root: %s %s", res.Status, res.body)
	}

	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	f.write("mydata/data/table.csv", "a,b\n1,2\n3,4\n")
	res = f.get(path)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.errorMessage(t), "was modified: it has 12 bytes, the record says 8") {
		t.Errorf("a file that grew: %s %s", res.Status, res.body)
	}

	f.write("mydata/data/table.csv", "a,b\n9,9\n")
	res = f.get(path)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.errorMessage(t), "was modified: its content hashes to") {
		t.Errorf("a same-size edit: %s %s", res.Status, res.body)
	}
}

func TestAFilterWithTooManyValuesIsABadRequestNamingTheLimit(t *testing.T) {
	f := newFixture(t)
	values := make([]string, 40000)
	for i := range values {
		values[i] = strconv.Itoa(i)
	}
	res := f.get("/api/artifacts?size__in=" + strings.Join(values, ","))
	if res.StatusCode != http.StatusBadRequest ||
		res.errorMessage(t) != "size__in: 40000 values, at most 30000 fit in one query; split the list into several queries" {
		t.Errorf("40,000 values: %s %s", res.Status, res.body)
	}
	values[0] = strconv.Itoa(len(f.rawBytes))
	res = f.getOK("/api/artifacts?size__in=" + strings.Join(values[:30000], ","))
	if uids := res.uids(t); !slices.Contains(uids, f.raw.UID) {
		t.Errorf("30,000 values find %v, want %s among them", uids, f.raw.UID)
	}
}
