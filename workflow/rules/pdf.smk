# report.pdf in batches: one `kinres pdf` process renders ~pdf_per_job reports, paying
# WeasyPrint's import (~0.6 CPU-s) once instead of once per sample. PDFs are rendered from the
# report.html each patient job wrote. A batch rerun for one changed sample renders that sample's
# PDF; the others come back from <results>/.kinres/reuse/pdf when their HTML is unchanged.

PDF_RULES = _rule_names("pdf", PDF_BATCHES)

for _batch, _sids in PDF_BATCHES.items():

    rule:
        name:
            PDF_RULES[_batch]
        input:
            html=[f"{RESULTS}/{s}/report.html" for s in _sids],
        output:
            [f"{RESULTS}/{s}/report.pdf" for s in _sids],
        log:
            f"{LOGS}/pdf/batch_{_batch}.log",
        benchmark:
            f"{BENCH}/pdf/batch_{_batch}.tsv"
        params:
            # an unchanged report.html gets its earlier PDF back (kinres.reuse)
            reuse=REUSE_ARGS["pdf"],
        threads: 1
        shell:
            "kinres pdf --html {input.html:q} {params.reuse} 2>&1 | tee {log:q}"


forget_rule_functions(PDF_RULES.values())
