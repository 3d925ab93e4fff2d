# One job per patient: `kinres sample` runs variants -> fusions -> cnv -> coverage -> interpret
# -> report (HTML, TSVs, annotated VCF) for the patient's samples in one process, writing every
# stage JSON. A patient's samples are one job because they read each other (timeline,
# cross-sample reasoning); patients are independent. Snakemake needs one rule per output set,
# so the rules are generated here, one per patient (`rule patient_<id>`), or one per group of
# patients_per_job patients (`rule patients_<n>`). PDFs: pdf.smk.

for _name, _job in PATIENT_JOBS.items():
    _sids = _job["samples"]

    rule:
        name:
            _name
        input:
            # the row files carry the input files' sizes and times (input_signature): a
            # replaced file rewrites its row, which reruns the patient
            rows=[ROWS[s] for s in _sids],
            baselines=patient_baselines(_sids),
            config=CONFIG,
        output:
            patient_outputs(_sids),
        log:
            f"{LOGS}/sample/{_job['label']}.log",
        benchmark:
            f"{BENCH}/sample/{_job['label']}.tsv"
        params:
            # <results>/<sample>/report.json -> <results>
            results=lambda wc, output: os.path.dirname(os.path.dirname(output[0])),
            # unchanged patients of a rerun group get their earlier outputs back (kinres.reuse)
            reuse=REUSE_ARGS["samples"],
        group:
            "samples"
        # mem_mb/runtime come from the profile's default-resources, so one
        # `--default-resources mem_mb=... runtime=...` sizes every patient job
        threads: 1
        shell:
            "kinres sample --config {input.config:q} --rows {input.rows:q}"
            " --results {params.results:q} --no-pdf {params.reuse} 2>&1 | tee {log:q}"


forget_rule_functions(PATIENT_JOBS)
