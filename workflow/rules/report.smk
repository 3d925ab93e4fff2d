# Human-readable outputs from report.json: HTML, PDF, TSV tables (+ annotated VCF when given one)


rule report:
    input:
        report=f"{RESULTS}/{{sample}}/report.json",
        patient=patient_reports,
        config=CONFIG,
    output:
        **_report_outputs(),
    log:
        f"{LOGS}/report/{{sample}}.log",
    params:
        outdir=lambda wc, output: os.path.dirname(output.html),
        vcf=vcf_flag,
        pdf="--pdf" if WRITE_PDF else "--no-pdf",
        patient=lambda wc, input: (f"--patient-reports {quoted(input.patient)}"
                                   if input.patient else ""),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    shell:
        "kinres report --config {input.config:q} --report {input.report:q} --outdir {params.outdir:q}"
        " {params.vcf} {params.pdf} {params.patient} 2>&1 | tee {log:q}"
