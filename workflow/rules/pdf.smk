# report.pdf in batches: one `kinres pdf` process renders ~pdf_per_job reports, paying
# WeasyPrint's import (~0.6 CPU-s) once instead of once per sample. PDFs are rendered from the
# report.html each patient job wrote; WeasyPrint output is deterministic, so a batch rerun for one
# changed sample rewrites the other PDFs with the same bytes.

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
        threads: 1
        shell:
            "kinres pdf --html {input.html:q} 2>&1 | tee {log:q}"


forget_rule_functions(PDF_RULES.values())
