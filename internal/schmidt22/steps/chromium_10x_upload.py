import lamindb as ln

ln.setup.login("testuser1")
ln.track("qCJPkOuZAi9q0000")

# The sequencer writes the reads of the Perturb-seq run into the storage
# root: fastq/perturbseq_R1_001.fastq.gz and fastq/perturbseq_R2_001.fastq.gz.
fastq_dir = ln.core.datasets.fastq_perturbseq(basedir=ln.settings.storage.root)

# Register both files in place, under their paths in the storage root.
for path in sorted(fastq_dir.glob("*.fastq.gz")):
    ln.Artifact(path).save()

ln.finish()
