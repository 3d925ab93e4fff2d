# Mechanisms, drug calls, therapy options and caveats -> report.json (report contract v1)


rule interpret:
    input:
        unpack(stage_inputs),
        patient_stages=patient_stage_inputs,
        sheet=SAMPLE_SHEET,
        config=CONFIG,
    output:
        f"{RESULTS}/{{sample}}/report.json",
    log:
        f"{LOGS}/interpret/{{sample}}.log",
    params:
        stages=stage_flags,
        patient=patient_flags,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    shell:
        "kinres interpret --config {input.config:q} --sample-sheet {input.sheet:q}"
        " --sample {wildcards.sample:q} {params.stages} {params.patient} --out {output:q} 2>&1 | tee {log:q}"
