package cli

import (
	"fmt"
	"os"

	"github.com/lamin-go/lamin/internal/hashing"
	"github.com/lamin-go/lamin/internal/records"
	"github.com/spf13/cobra"
)

func (app *App) hashCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "hash PATH...",
		Short: "Print the content hash lamin records for files or folders",
		Long: `Print the hash, hash type and size lamin records for each path: md5 for files
up to 50 MiB, full-content multipart md5-<n> for larger ones (equal to the S3
ETag of a multipart upload with 50 MiB parts), md5-d for folders.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			var recs []records.Record
			for _, p := range args {
				st, err := os.Stat(p)
				if err != nil {
					return usagef("path %s does not exist; check the path", p)
				}
				var res hashing.Result
				if st.IsDir() {
					res, err = hashing.Dir(cmd.Context(), p)
				} else {
					res, err = hashing.File(cmd.Context(), p)
				}
				if err != nil {
					return usagef("cannot hash %s: %v", p, err)
				}
				recs = append(recs, records.Record{{Name: "hash", Value: res.Hash}, {Name: "hash_type", Value: res.Type}, {Name: "size", Value: res.Size}, {Name: "path", Value: p}})
			}
			if format == "table" {
				for _, r := range recs {
					fmt.Fprintf(app.Out, "%s  %s  %d  %s\n", r[0].Value, r[1].Value, r[2].Value, r[3].Value)
				}
				return nil
			}
			return writeRecords(app.Out, format, recs)
		},
	}
	addFormatFlag(cmd, &format, "table")
	return cmd
}
