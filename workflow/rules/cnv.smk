# Copy number (CNVkit .cns / gene TSV / CNV VCF) -> cnv.json; BAM hotspot coverage -> coverage.json


rule cnv:
    input:
        data=lambda wc: str(sample_of(wc).cnv),
        sheet=SAMPLE_SHEET,
        config=CONFIG,
    output:
        f"{RESULTS}/{{sample}}/cnv.json",
    log:
        f"{LOGS}/cnv/{{sample}}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "kinres cnv --config {input.config:q} --sample-sheet {input.sheet:q}"
        " --sample {wildcards.sample:q} --out {output:q} 2>&1 | tee {log:q}"


rule coverage:
    input:
        unpack(_coverage_inputs),
        sheet=SAMPLE_SHEET,
        config=CONFIG,
    output:
        f"{RESULTS}/{{sample}}/coverage.json",
    log:
        f"{LOGS}/coverage/{{sample}}.log",
    params:
        variants=lambda wc, input: f"--variants {quoted([input.variants])}" if "variants" in input.keys() else "",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "kinres coverage --config {input.config:q} --sample-sheet {input.sheet:q}"
        " --sample {wildcards.sample:q} {params.variants} --out {output:q} 2>&1 | tee {log:q}"
