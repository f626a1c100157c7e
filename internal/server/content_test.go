package server_test

import (
	"net/http"
	"os"
	"path/filepath"
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
