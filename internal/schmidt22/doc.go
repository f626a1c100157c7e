// Package schmidt22 reproduces LaminDB's Schmidt et al. (2022) walkthrough
// with the lamin Go SDK: a CRISPRa screen and a Perturb-seq experiment
// traced from upload through hit identification, a Cell Ranger step and
// post-processing to two figures, then reviewed and queried by lineage.
//
// The steps' Python scripts and Jupyter notebooks, written in LaminDB's
// Python API as in LaminDB's project, are embedded (steps/) and written to
// project-flow-scripts/ in the storage root; each step is recorded under
// the seed's transform uid, key, type and title with that file as its
// source (notebooks as py:percent, like `lamin run NOTEBOOK.ipynb`). When
// python3 and lamin are installed and the storage is local, the scripts
// run for real inside their runs, their lamindb calls going through a
// stand-in (steps/lamindb.py) that runs lamin; otherwise, and for the
// notebooks' analyses, the Go function beside each file does the step's
// work through the SDK. Both ways record the same transforms, runs,
// artifacts and lineage. The data are generated deterministically (see
// data.go and datasets.go); nothing is downloaded.
// `lamin demo` runs Demo, which keeps the user's own instances and current
// user as they were.
package schmidt22
