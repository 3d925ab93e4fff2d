# Human-readable outputs from report.json: HTML, PDF, TSV tables (+ annotated VCF when given one)


rule report:
    input:
        report=f"{RESULTS}/{{sample}}/report.json",
        patient=patient_reports,
    output:
        html=f"{RESULTS}/{{sample}}/report.html",
        pdf=f"{RESULTS}/{{sample}}/report.pdf",
        alterations=f"{RESULTS}/{{sample}}/alterations.tsv",
        drug_calls=f"{RESULTS}/{{sample}}/drug_calls.tsv",
    log:
        f"{LOGS}/report/{{sample}}.log",
    params:
        outdir=f"{RESULTS}/{{sample}}",
        vcf=vcf_flag,
        patient=lambda wc, input: (f"--patient-reports {' '.join(input.patient)}"
                                   if input.patient else ""),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
    shell:
        "kinres report --report {input.report} --outdir {params.outdir} {params.vcf} --pdf"
        " {params.patient} > {log} 2>&1"
