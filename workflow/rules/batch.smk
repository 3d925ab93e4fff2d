# Batch overview across all samples: summary.html / summary.tsv


rule batch:
    input:
        reports=expand(f"{RESULTS}/{{sample}}/report.json", sample=SAMPLES),
        # not read, but summary.html links each report.html: wait for them so links never
        # depend on job timing (it used to fall back to report.json when HTML was not there yet)
        html=expand(f"{RESULTS}/{{sample}}/report.html", sample=SAMPLES),
        config=CONFIG,
    output:
        html=f"{RESULTS}/batch/summary.html",
        tsv=f"{RESULTS}/batch/summary.tsv",
    log:
        f"{LOGS}/batch/batch.log",
    params:
        outdir=lambda wc, output: os.path.dirname(output.html),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    shell:
        "kinres batch --config {input.config:q} --reports {input.reports:q} --outdir {params.outdir:q}"
        " 2>&1 | tee {log:q}"
