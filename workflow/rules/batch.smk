# Batch overview across all samples: summary.html / summary.tsv, MultiQC table, failed list.
# When a sample fails this rule cannot run; the Snakefile's onerror handler then writes the same
# files over the reported samples plus the failed ones (write_partial_batch in common.smk).

BATCH_OUTPUTS = [f"{RESULTS}/batch/{name}" for name in
                 ("summary.html", "summary.tsv", "kinres_mqc.tsv", "failed_samples.tsv")]


rule batch:
    input:
        reports=expand(f"{RESULTS}/{{sample}}/report.json", sample=SAMPLES),
        # not read, but summary.html links each report.html: wait for them so links never
        # depend on job timing (it used to fall back to report.json when HTML was not there yet)
        html=expand(f"{RESULTS}/{{sample}}/report.html", sample=SAMPLES),
        config=CONFIG,
    output:
        html=report(f"{RESULTS}/batch/summary.html", category="Batch",
                    caption="../report/batch_summary.rst"),
        tsv=report(f"{RESULTS}/batch/summary.tsv", category="Batch",
                   caption="../report/batch_table.rst"),
        mqc=f"{RESULTS}/batch/kinres_mqc.tsv",
        failed=f"{RESULTS}/batch/failed_samples.tsv",
    log:
        f"{LOGS}/batch/batch.log",
    benchmark:
        f"{BENCH}/batch.tsv"
    params:
        outdir=lambda wc, output: os.path.dirname(output.html),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    shell:
        "kinres batch --config {input.config:q} --reports {input.reports:q} --outdir {params.outdir:q}"
        " 2>&1 | tee {log:q}"
