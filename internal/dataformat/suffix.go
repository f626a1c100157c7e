package dataformat

import (
	"fmt"
	"strings"
	"unicode"
)

// simpleSuffixes are the suffixes LaminDB recognises on their own. ".gz" is
// deliberately absent: it only ever qualifies another suffix.
var simpleSuffixes = map[string]bool{
	".fasta": true, ".fastq": true, ".jpg": true, ".mtx": true, ".obo": true,
	".pdf": true, ".png": true, ".tar": true, ".tiff": true, ".txt": true,
	".tsv": true, ".zip": true, ".xml": true, ".qs": true, ".rds": true,
	".pt": true, ".pth": true, ".ckpt": true, ".state_dict": true,
	".keras": true, ".pb": true, ".pbtxt": true, ".savedmodel": true,
	".pkl": true, ".pickle": true, ".bin": true, ".safetensors": true,
	".model": true, ".mlmodel": true, ".mar": true, ".h5ad": true,
	".parquet": true, ".csv": true, ".fcs": true,
	".xslx": true, // sic, matches LaminDB
	".zarr": true, ".json": true,
}

// compositeSuffixes are multi-part suffixes recognised as a whole. None of
// them ends with another, so the order of the checks does not matter.
var compositeSuffixes = []string{".anndata.zarr", ".vitessce.json", ".ome.zarr"}

const (
	hintPrefix  = "file has more than one suffix (path.suffixes), "
	hintLastTwo = hintPrefix + "using only last two suffixes: '%s'"
	hintLast    = hintPrefix + "using only last suffix: '%s' - if you want your composite" +
		" suffix to be recognized add it to lamindb.core.storage.VALID_SIMPLE_SUFFIXES.add()"
)

// Suffix returns the suffix LaminDB would record for the file named by name,
// which may be a bare file name, a slash-separated path or a URI; only its
// final component is looked at. The second result is the hint LaminDB logs
// when the name has several suffixes and only part of them is used; it is ""
// when there is nothing to report.
func Suffix(name string) (suffix string, hint string) {
	base := baseName(name)
	parts := pathSuffixes(base)
	if len(parts) <= 1 {
		return dropDigits(pathSuffix(base)), ""
	}
	total := strings.Join(parts, "")
	if simpleSuffixes[total] {
		return total, ""
	}
	for _, c := range compositeSuffixes {
		if strings.HasSuffix(total, c) {
			return c, ""
		}
	}
	last := parts[len(parts)-1]
	if simpleSuffixes[parts[len(parts)-2]] {
		suffix = parts[len(parts)-2] + last
		if last != ".gz" {
			hint = fmt.Sprintf(hintLastTwo, suffix)
		}
	} else {
		suffix = last
		hint = fmt.Sprintf(hintLast, suffix)
	}
	return dropDigits(suffix), hint
}

// SuffixMatches reports whether the storage key carries exactly the suffix
// dataSuffix, as computed by Suffix.
func SuffixMatches(key, dataSuffix string) bool {
	s, _ := Suffix(key)
	return s == dataSuffix
}

// OType returns the object type LaminDB infers from a suffix alone:
// "AnnData", "MuData" or "SpatialData", or "" when the suffix implies none.
func OType(suffix string) string {
	switch suffix {
	case ".h5ad", ".anndata.zarr":
		return "AnnData"
	case ".h5mu":
		return "MuData"
	case ".spatialdata.zarr":
		return "SpatialData"
	}
	return ""
}

// DatasetOType is OType for files saved as datasets, where tabular suffixes
// (.parquet, .csv, .tsv and their gzip variants) also map to "DataFrame".
func DatasetOType(suffix string) string {
	switch suffix {
	case ".parquet", ".csv", ".tsv", ".csv.gz", ".tsv.gz":
		return "DataFrame"
	}
	return OType(suffix)
}

// baseName returns the final component of a slash-separated path the way
// Python's pathlib does: empty and "." components are ignored, while ".."
// is kept as a name of its own.
func baseName(p string) string {
	for p != "" {
		i := strings.LastIndexByte(p, '/')
		comp := p[i+1:]
		if comp != "" && comp != "." {
			return comp
		}
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ""
}

// pathSuffix mirrors pathlib.PurePath.suffix.
func pathSuffix(name string) string {
	i := strings.LastIndexByte(name, '.')
	if 0 < i && i < len(name)-1 {
		return name[i:]
	}
	return ""
}

// pathSuffixes mirrors pathlib.PurePath.suffixes.
func pathSuffixes(name string) []string {
	if strings.HasSuffix(name, ".") {
		return nil
	}
	parts := strings.Split(strings.TrimLeft(name, "."), ".")[1:]
	for i, p := range parts {
		parts[i] = "." + p
	}
	return parts
}

// dropDigits returns "" for a suffix that is a dot followed only by digits,
// which LaminDB does not treat as a suffix (think "file.1").
func dropDigits(suffix string) string {
	if len(suffix) > 1 && isPyDigits(suffix[1:]) {
		return ""
	}
	return suffix
}

// isPyDigits mirrors Python's str.isdigit: non-empty and every character a
// decimal digit or one of the other characters Unicode gives a digit value.
func isPyDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !unicode.Is(otherDigits, r) {
			return false
		}
	}
	return true
}

// otherDigits lists the characters with Unicode Numeric_Type=Digit that are
// not decimal digits (superscripts, circled digits and the like); Python's
// str.isdigit accepts them.
var otherDigits = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00B2, Hi: 0x00B3, Stride: 1},
		{Lo: 0x00B9, Hi: 0x00B9, Stride: 1},
		{Lo: 0x1369, Hi: 0x1371, Stride: 1},
		{Lo: 0x19DA, Hi: 0x19DA, Stride: 1},
		{Lo: 0x2070, Hi: 0x2070, Stride: 1},
		{Lo: 0x2074, Hi: 0x2079, Stride: 1},
		{Lo: 0x2080, Hi: 0x2089, Stride: 1},
		{Lo: 0x2460, Hi: 0x2468, Stride: 1},
		{Lo: 0x2474, Hi: 0x247C, Stride: 1},
		{Lo: 0x2488, Hi: 0x2490, Stride: 1},
		{Lo: 0x24EA, Hi: 0x24EA, Stride: 1},
		{Lo: 0x24F5, Hi: 0x24FD, Stride: 1},
		{Lo: 0x24FF, Hi: 0x24FF, Stride: 1},
		{Lo: 0x2776, Hi: 0x277E, Stride: 1},
		{Lo: 0x2780, Hi: 0x2788, Stride: 1},
		{Lo: 0x278A, Hi: 0x2792, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x10A40, Hi: 0x10A43, Stride: 1},
		{Lo: 0x10E60, Hi: 0x10E68, Stride: 1},
		{Lo: 0x11052, Hi: 0x1105A, Stride: 1},
		{Lo: 0x1F100, Hi: 0x1F10A, Stride: 1},
	},
}
