# Fusion calls: Arriba / STAR-Fusion / FusionCatcher / SV VCF -> fusions.json


rule fusions:
    input:
        data=lambda wc: str(sample_of(wc).fusions),
        sheet=SAMPLE_SHEET,
        config=CONFIG,
    output:
        f"{RESULTS}/{{sample}}/fusions.json",
    log:
        f"{LOGS}/fusions/{{sample}}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "kinres fusions --config {input.config:q} --sample-sheet {input.sheet:q}"
        " --sample {wildcards.sample:q} --out {output:q} 2>&1 | tee {log:q}"
