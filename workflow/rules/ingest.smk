# Small variants: VCF (VEP CSQ / snpEff ANN / unannotated) or vcf2maf MAF -> variants.json


rule variants:
    input:
        data=lambda wc: str(sample_of(wc).vcf),
        sheet=SAMPLE_SHEET,
        config=CONFIG,
    output:
        f"{RESULTS}/{{sample}}/variants.json",
    log:
        f"{LOGS}/variants/{{sample}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "kinres variants --config {input.config:q} --sample-sheet {input.sheet:q}"
        " --sample {wildcards.sample:q} --out {output:q} 2>&1 | tee {log:q}"
