// Package notebook handles the Jupyter notebooks behind `lamin run NOTEBOOK.ipynb`.
//
// Title and Source read an .ipynb file: the title is the first level-1
// markdown heading and the source is a jupytext py:percent rendering, as
// LaminDB records them for a notebook transform. Find locates jupyter
// nbconvert and Execute runs the notebook with it, then renders the executed
// notebook to HTML. The package knows nothing about runs or databases: the
// caller creates the run and passes LAMIN_RUN_UID through ExecSpec.Env.
package notebook
