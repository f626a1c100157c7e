// Package h5ad writes AnnData .h5ad files without Python: a dense X matrix,
// obs and var dataframes, empty obsm/varm/obsp/varp/layers and string
// entries in uns, laid out as AnnData 0.8 writes them.
//
// The HDF5 container is produced by a small writer that implements only the
// parts of the format this layout needs: a version 0 superblock, version 1
// object headers, symbol-table groups, contiguous datasets and attributes of
// numeric, boolean-enum and variable-length UTF-8 string types. Read reads
// such files back, and the same subset of what AnnData writes, through the
// HDF5 reader of internal/hdf5.
package h5ad
