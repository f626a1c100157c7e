"""Generate the HDF5 fixtures used by the .h5ad observation tests.

Run from this directory with a Python that has h5py (Debian: python3-h5py;
python3-anndata adds the files AnnData writes itself):

    python3 gen.py

Each fixture stores a known number of observations in a different HDF5
layout; the tests in ../../hdf5_test.go list the expected counts.
"""
import h5py, numpy as np
str_dt = h5py.string_dtype("utf-8")

def set_enc(obj, typ, ver):
    obj.attrs["encoding-type"] = typ
    obj.attrs["encoding-version"] = ver

def write_adata(f, n_obs, n_vars=3, index_name="_index", extra_cols=0, index_attr="vlen", compress=False, extra_attrs=0):
    set_enc(f, "anndata", "0.1.0")
    X = np.arange(n_obs * n_vars, dtype=np.float32).reshape(n_obs, n_vars)
    f.create_dataset("X", data=X)
    obs = f.create_group("obs")
    set_enc(obs, "dataframe", "0.2.0")
    if index_attr == "vlen":
        obs.attrs["_index"] = index_name
    elif index_attr == "fixed":
        obs.attrs.create("_index", np.bytes_(index_name))
    for i in range(extra_attrs):
        obs.attrs[f"note{i:02d}"] = f"extra attribute {i}"
    cols = ["n_genes"] + [f"col{i:03d}" for i in range(extra_cols)]
    obs.attrs.create("column-order", data=np.array(cols, dtype=object), dtype=str_dt)
    kw = dict(chunks=True, compression="gzip") if compress else {}
    obs.create_dataset(index_name, data=np.array([f"cell{i}" for i in range(n_obs)], dtype=object), dtype=str_dt, **kw)
    obs.create_dataset("n_genes", data=np.arange(n_obs, dtype=np.int64))
    for c in cols[1:]:
        obs.create_dataset(c, data=np.zeros(n_obs, dtype=np.int8))
    var = f.create_group("var")
    set_enc(var, "dataframe", "0.2.0")
    var.attrs["_index"] = "_index"
    var.attrs["column-order"] = np.array([], dtype=np.float64)
    var.create_dataset("_index", data=np.array([f"gene{i}" for i in range(n_vars)], dtype=object), dtype=str_dt)

with h5py.File("v0_default.h5ad", "w") as f:
    write_adata(f, 7)
with h5py.File("v0_named_index.h5ad", "w") as f:
    write_adata(f, 5, index_name="cell_id")
with h5py.File("v0_fixed_string_attr.h5ad", "w") as f:
    write_adata(f, 4, index_name="barcode", index_attr="fixed")
with h5py.File("v0_no_index_attr.h5ad", "w") as f:
    write_adata(f, 6, index_attr=None, compress=True)
with h5py.File("v0_userblock.h5ad", "w", userblock_size=512) as f:
    write_adata(f, 3)
with h5py.File("v0_soft_link_index.h5ad", "w") as f:
    write_adata(f, 5, index_name="real_index")
    f["obs"].attrs["_index"] = "_index"
    f["obs/_index"] = h5py.SoftLink("/obs/real_index")

# Tiny B-tree node sizes force a deep symbol-table B-tree with many nodes.
fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
import ctypes
hdf5 = ctypes.CDLL("libhdf5_serial.so.103")
hdf5.H5Pset_sym_k.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
assert hdf5.H5Pset_sym_k(fcpl.id, 1, 1) >= 0
fid = h5py.h5f.create(b"v0_deep_btree.h5ad", h5py.h5f.ACC_TRUNC, fcpl=fcpl)
with h5py.File(fid) as f:
    write_adata(f, 13, extra_cols=40)

with h5py.File("latest_compact.h5ad", "w", libver="latest") as f:
    write_adata(f, 11)
with h5py.File("latest_dense.h5ad", "w", libver="latest") as f:
    write_adata(f, 17, extra_cols=20)
with h5py.File("latest_dense_attrs.h5ad", "w", libver="latest") as f:
    write_adata(f, 19, extra_attrs=12)
with h5py.File("latest_dense_deep.h5ad", "w", libver="latest") as f:
    write_adata(f, 23, extra_cols=90)
with h5py.File("latest_track_order.h5ad", "w", libver="latest", track_order=True) as f:
    write_adata(f, 8)
with h5py.File("latest_dense_root.h5ad", "w", libver="latest") as f:
    for i in range(12):
        f.create_group(f"aaa{i:02d}")
    write_adata(f, 2, extra_cols=30)

# AnnData before 0.7 stored obs as a compound dataset with one row per cell.
with h5py.File("legacy_compound.h5ad", "w") as f:
    dt = np.dtype([("index", h5py.string_dtype("utf-8")), ("n_genes", np.int64)])
    rows = np.array([(f"cell{i}", i) for i in range(9)], dtype=dt)
    f.create_dataset("obs", data=rows)
    f.create_dataset("X", data=np.zeros((9, 2), dtype=np.float32))

# Files written by AnnData itself, when it is installed.
try:
    import anndata
    import pandas as pd
    import scipy.sparse as sp
except ImportError:
    anndata = None
if anndata is not None:
    cell_types = pd.Categorical(list("abcab" * 4 + "a"))
    obs = pd.DataFrame({"cell_type": cell_types}, index=[f"cell{i}" for i in range(21)])
    var = pd.DataFrame(index=[f"g{i}" for i in range(4)])
    X = sp.random(21, 4, density=0.3, format="csr", dtype=np.float32, random_state=0)
    ad = anndata.AnnData(X=X, obs=obs, var=var)
    ad.uns["note"] = "fixture"
    ad.write_h5ad("anndata_sparse.h5ad")
    obs.index.name = "barcode"
    ad = anndata.AnnData(X=np.ones((21, 4), dtype=np.float32), obs=obs, var=var)
    ad.write_h5ad("anndata_named_index.h5ad", compression="gzip")

# Store the fixtures compressed; they are mostly empty space.
import glob, gzip, os, shutil
for name in glob.glob("*.h5ad"):
    with open(name, "rb") as src, gzip.GzipFile(name + ".gz", "wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    os.remove(name)
