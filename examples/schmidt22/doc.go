// Package schmidt22 reproduces LaminDB's Schmidt et al. (2022) walkthrough
// with the lamin Go SDK: a CRISPRa screen and a Perturb-seq experiment
// traced from upload through hit identification, a Cell Ranger step and
// post-processing to two figures, then reviewed and queried by lineage.
//
// Every step is a Go function in its own file, recorded under the seed's
// transform uid, key, type and title so the end state can be compared with
// the seed's tables; the transform's source_code holds that Go file. The
// data are generated deterministically (see data.go); nothing is downloaded.
// `lamin demo` runs Run on a fresh local instance.
package schmidt22
