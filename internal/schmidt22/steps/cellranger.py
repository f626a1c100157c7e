import lamindb as ln

ln.setup.login("testuser2")

# Cell Ranger is an external pipeline: describe it as a transform of its own.
transform = ln.Transform(
    uid="3fkyE88RrVHT0000",
    key="Cell Ranger",
    version="7.2.0",
    type="pipeline",
    reference="https://www.10xgenomics.com/support/software/cell-ranger",
    reference_type="url",
)
ln.track(transform=transform)

# Its inputs: the reads of the sequencer upload.
for key in ["fastq/perturbseq_R1_001.fastq.gz", "fastq/perturbseq_R2_001.fastq.gz"]:
    ln.Artifact.get(key=key).cache()

# `cellranger count` writes the filtered feature-barcode matrix:
# perturbseq/filtered_feature_bc_matrix/{barcodes,features}.tsv.gz, matrix.mtx.gz
output_path = ln.core.datasets.dir_scrnaseq_cellranger(
    "perturbseq", basedir=ln.settings.storage.root
)
artifacts = ln.Artifact.from_dir(output_path)
ln.save(artifacts)
