# One job per patient: `kinres sample` runs variants -> fusions -> cnv -> coverage -> interpret
# -> report (HTML, TSVs, annotated VCF) for the patient's samples in one process, writing every
# stage JSON. A patient's samples are one job because they read each other (timeline,
# cross-sample reasoning); patients are independent. Snakemake needs one rule per output set,
# so the rules are generated here, one per patient (`rule patient_<id>`). PDFs: pdf.smk.

PATIENT_RULES = _rule_names("patient", PATIENTS)

for _pid, _sids in PATIENTS.items():

    rule:
        name:
            PATIENT_RULES[_pid]
        input:
            rows=[ROWS[s] for s in _sids],
            data=patient_inputs(_sids),
            config=CONFIG,
        output:
            patient_outputs(_sids),
        log:
            f"{LOGS}/sample/{_pid}.log",
        benchmark:
            f"{BENCH}/sample/{_pid}.tsv"
        params:
            results=RESULTS,
        group:
            "samples"
        # mem_mb/runtime come from the profile's default-resources, so one
        # `--default-resources mem_mb=... runtime=...` sizes every patient job
        threads: 1
        shell:
            "kinres sample --config {input.config:q} --rows {input.rows:q}"
            " --results {params.results:q} --no-pdf 2>&1 | tee {log:q}"
