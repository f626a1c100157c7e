package server

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/lamin-go/lamin"
)

// contentTypes are the types of suffixes common in lamin instances that
// the platform's MIME table may not know; others come from
// mime.TypeByExtension, and unknown ones are application/octet-stream.
var contentTypes = map[string]string{
	".csv":     "text/csv; charset=utf-8",
	".tsv":     "text/tab-separated-values; charset=utf-8",
	".txt":     "text/plain; charset=utf-8",
	".md":      "text/markdown; charset=utf-8",
	".py":      "text/x-python; charset=utf-8",
	".r":       "text/plain; charset=utf-8",
	".ipynb":   "application/x-ipynb+json",
	".parquet": "application/vnd.apache.parquet",
	".h5ad":    "application/x-hdf5",
	".gz":      "application/gzip",
}

// contentType is the Content-Type for an artifact suffix such as ".csv" or
// ".fastq.gz" (judged by its last part).
func contentType(suffix string) string {
	ext := strings.ToLower(path.Ext(suffix))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// downloadName is the file name a download is saved under: the last part
// of the key, or uid and suffix for an artifact without a key.
func downloadName(a *lamin.Artifact) string {
	if a.Key != nil {
		if name := path.Base(*a.Key); name != "." && name != "/" {
			return name
		}
	}
	return a.UID + a.Suffix
}

// apiContent is GET /api/artifacts/{uid}/content: the artifact's bytes as
// an attachment. It never records the download as a run input.
func (s *Server) apiContent(w http.ResponseWriter, r *http.Request) error {
	name, err := registryName(r)
	if err != nil {
		return err
	}
	if name != "artifact" {
		return failf(errNoRoute, "only artifacts have content; use /api/artifacts/UID/content")
	}
	ctx := r.Context()
	a, err := s.in.GetArtifact(ctx, r.PathValue("uid"))
	if err != nil {
		return err
	}
	if a.NFiles != nil {
		return folderError(a.UID)
	}
	no := false
	// Open checks the bytes against the record (inside the storage root,
	// recorded size) on the open file itself, so a file swapped behind the
	// record is refused with 403 or 409, never served.
	rc, err := s.in.Open(ctx, a, lamin.CacheOptions{IsRunInput: &no})
	if err != nil {
		return err
	}
	defer rc.Close()
	f, ok := rc.(*os.File)
	if !ok {
		return fmt.Errorf("read artifact %s: not a local file", a.UID)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read artifact %s: %w", a.UID, err)
	}
	if st.IsDir() {
		return folderError(a.UID)
	}
	h := w.Header()
	h.Set("Content-Type", contentType(a.Suffix))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(a)}))
	// An HTML or SVG artifact must never run as a page of this server.
	h.Set("Content-Security-Policy", "sandbox")
	http.ServeContent(&downloadWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: s.write}, r, "", st.ModTime(), f)
	return nil
}

// downloadWriter moves the write deadline forward with every chunk of a
// download: the server's WriteTimeout would cut off any file too large to
// send within it, while a client that stops reading must still be let go.
type downloadWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (d *downloadWriter) Write(p []byte) (int, error) {
	d.rc.SetWriteDeadline(time.Now().Add(d.stall))
	return d.ResponseWriter.Write(p)
}

// folderError refuses to send a folder artifact.
func folderError(uid string) error {
	return failf(lamin.ErrInvalid, "artifact %s is a folder; the server sends single files only, so fetch it with `lamin cache %s`", uid, uid)
}
