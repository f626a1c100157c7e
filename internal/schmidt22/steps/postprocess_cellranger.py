import lamindb as ln


# Post-process 3 cellranger output files
ln.setup.login("testuser2")
ln.track("YqmbO6oMXjRj0000")

for artifact in ln.Artifact.filter(
    key__startswith="perturbseq/filtered_feature_bc_matrix/"
).order_by("key"):
    artifact.cache()

# Cells x genes counts with each cell's cluster and total counts, as AnnData.
output_path = ln.core.datasets.schmidt22_perturbseq(basedir=ln.settings.storage.root)
output_file = ln.Artifact(output_path, description="perturbseq counts")
output_file.save()
