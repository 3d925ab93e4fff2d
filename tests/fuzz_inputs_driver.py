"""Fuzz driver for tests/unit/test_fuzz_inputs.py (run as a subprocess, one per parser).

`python tests/fuzz_inputs_driver.py PARSER N SEED WORKDIR` mutates the parser's seed files N
times (fixed seed) and runs each mutant through the real CLI in-process (`kinres variants`,
`kinres fusions` or `kinres cnv`; accepted small-variant VCFs also through the report's
annotated VCF copy). Allowed outcomes: exit 0, or exit 2 with a 'kinres error:' message. Any
other exception is printed as a failure, and so is `kinres validate` passing a mutant (every
second one is validated too) that the run then rejects. Before each mutant its number is written to
WORKDIR/progress, so if htslib ends the process the test can name the mutant that did it.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "unit"))

GARBAGE = ["inf", "-inf", "nan", "1e400", "-5", "1e30", "abc", "", ".", "0", "-1e300",
           "=HYPERLINK(\"x\")", "\u00e9", "9" * 30, "p.Xyz12Q", "2:-5", "chr2:1e9"]


def seeds(parser: str) -> list[tuple[str, str, str | None]]:
    """(file name, text, format column value) of the seeds of one parser."""
    if parser == "variants":
        from test_maf import VCF2MAF_COLS, row
        from test_preannotated import VEP_HEADER, vep

        csq = vep("T", "missense_variant", "ALK", "ENST00000389048.7", "23/29",
                  "ENST00000389048.7:c.3604G>A", "ENSP00000373700.3:p.Gly1202Arg", "1202", "G/R")
        vcf = ("##fileformat=VCFv4.2\n##contig=<ID=chr2,length=242193529>\n" + VEP_HEADER + "\n"
               '##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
               '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="a">\n'
               '##FORMAT=<ID=AF,Number=A,Type=Float,Description="f">\n'
               '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="d">\n'
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"
               f"chr2\t29220747\t.\tC\tT\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:180,20:0.1:200\n"
               f"chr2\t29220800\t.\tA\tG\t.\tPASS\tCSQ={csq}\tGT:AD:AF:DP\t0/1:90,10:0.1:100\n")
        maf = ("#version 2.4\n" + "\t".join(VCF2MAF_COLS) + "\n"
               + "\t".join(row()) + "\n" + "\t".join(row(hgvsp="p.L1196M", start="29222591",
                                                          end="29222591", ref="G", alt="T")) + "\n")
        from test_vcf import STRELKA_SNV_META, vcf_text

        strelka = vcf_text(STRELKA_SNV_META, ["NORMAL", "TUMOR"], [
            ("chr2\t29220747\t.\tC\tT\t.\tPASS\tSOMATIC\tDP:FDP:SDP:SUBDP:AU:CU:GU:TU\t"
             "68:0:0:0:0,0:68,70:0,0:0,0\t75:0:0:0:0,0:72,72:0,0:2,2")])
        return [("v.vcf", vcf, None), ("v.maf", maf, None), ("strelka.vcf", strelka, None)]
    if parser == "fusions":
        from test_fusions_ingest import ARRIBA_HEADER, arriba_row

        arriba = ARRIBA_HEADER + "\n" + arriba_row() + "\n" + arriba_row(frame="out-of-frame") + "\n"
        sv = ("##fileformat=VCFv4.2\n##source=Manta\n"
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
              "2\t42295516\tbnd1\tA\tA]2:29223528]\t.\tPASS\tSVTYPE=BND;MATEID=bnd2\tPR:SR\t10,5:5,7\n"
              "2\t29223528\tbnd2\tG\tG]2:42295516]\t.\tPASS\tSVTYPE=BND;MATEID=bnd1\tPR:SR\t10,5:5,7\n")
        return [("f.tsv", arriba, "arriba"), ("f.vcf", sv, "sv_vcf")]
    if parser == "cnv":
        cns = ("chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"
               "7\t55019000\t55211628\tEGFR\t2.1\t900\t40\t30\n"
               "7\t116672000\t116798000\tMET\t0.1\t700\t30\t25\n")
        vcf = ("##fileformat=VCFv4.2\n"
               '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="t">\n'
               '##INFO=<ID=END,Number=1,Type=Integer,Description="e">\n'
               '##FORMAT=<ID=CN,Number=1,Type=Integer,Description="c">\n'
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
               "chr7\t55019000\t.\tN\t<DUP>\t.\tPASS\tSVTYPE=DUP;END=55211628\tCN\t9\n"
               "chr7\t116672000\t.\tN\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=116798000\tCN\t1\n")
        return [("c.cns", cns, "cnvkit"), ("c.vcf", vcf, "vcf")]
    raise SystemExit(f"unknown parser {parser}")


def mutate(rng: random.Random, text: str) -> bytes:
    """One random damage of the kinds seen in real files (and some that are not)."""
    lines = text.split("\n")
    op = rng.randrange(11)
    i = rng.randrange(len(lines))
    if op == 0:  # replace a cell with a nonsense value
        cells = lines[i].split("\t")
        cells[rng.randrange(len(cells))] = rng.choice(GARBAGE)
        lines[i] = "\t".join(cells)
    elif op == 1:  # drop a line (header lines included)
        del lines[i]
    elif op == 2:  # duplicate a line
        lines.insert(i, lines[i])
    elif op == 3:  # tabs become spaces
        lines[i] = lines[i].replace("\t", rng.choice([" ", "  ", "    "]))
    elif op == 4:  # drop or add a cell
        cells = lines[i].split("\t")
        if rng.random() < 0.5 and len(cells) > 1:
            del cells[rng.randrange(len(cells))]
        else:
            cells.insert(rng.randrange(len(cells) + 1), rng.choice(GARBAGE))
        lines[i] = "\t".join(cells)
    elif op == 5:  # swap two lines
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    data = "\n".join(lines).encode()
    if op == 6:  # truncate anywhere
        data = data[: rng.randrange(len(data) + 1)]
    elif op == 7:  # flip bytes
        b = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        data = bytes(b)
    elif op == 8:  # CRLF + BOM
        data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    elif op == 9:  # gzip, sometimes truncated
        data = gzip.compress(data)
        if rng.random() < 0.5:
            data = data[: rng.randrange(2, len(data))]
    elif op == 10:  # latin-1 / NUL bytes in a line
        data = data.replace(b"\n", rng.choice([b"\xe9\n", b"\x00\n"]), 1)
    return data


def main() -> int:
    parser, n, seed, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    from kinres.cli import main as kinres_main

    rng = random.Random(seed)
    corpus = seeds(parser)
    work.mkdir(parents=True, exist_ok=True)
    progress = work / "progress"
    failures: list[dict] = []
    outcomes = {"ok": 0, "input_error": 0}
    report = None
    for k in range(n):
        name, text, fmt = corpus[k % len(corpus)]
        data = mutate(rng, text)
        case = work / f"m{k}"
        case.mkdir(exist_ok=True)
        path = case / name
        path.write_bytes(data)
        progress.write_text(f"{k} {path}")
        column = {"variants": "vcf", "fusions": "fusions", "cnv": "cnv"}[parser]
        fmt_col = {"fusions": "fusion_format", "cnv": "cnv_format"}.get(parser)
        head = ["sample_id", "patient_id", "specimen", "tumor_type", "genome_build", column]
        vals = ["S1", "P1", "tissue", "NSCLC", "GRCh38", str(path)]
        if fmt_col and fmt:
            head.append(fmt_col)
            vals.append(fmt)
        sheet = case / "s.tsv"
        sheet.write_text("\t".join(head) + "\n" + "\t".join(vals) + "\n")
        cfg = case / "c.yaml"
        cfg.write_text(f"samples: {sheet}\nresults: {case / 'r'}\n")
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                rc = kinres_main(["-q", parser, "--config", str(cfg), "--sample-sheet", str(sheet),
                                  "--sample", "S1", "--out", str(case / "out.json")])
            if rc == 0 and parser == "variants" and name.endswith(".vcf"):
                from kinres.report.json import load_report
                from kinres.report.vcf_out import annotate_vcf

                report = report or load_report(HERE / "data/report/alk_g1202r_tissue.report.json")
                with contextlib.redirect_stderr(err):
                    annotate_vcf(path, report, case / "copy.vcf.gz")
        except SystemExit as exc:  # argparse or a stray sys.exit
            failures.append({"mutant": k, "file": str(path), "error": f"SystemExit {exc.code}"})
            continue
        except Exception as exc:  # noqa: BLE001 - the point: anything but a KinresError fails
            from kinres.errors import KinresError

            if isinstance(exc, KinresError):  # raised by the annotated copy: a clean refusal
                outcomes["input_error"] += 1
                continue
            failures.append({"mutant": k, "file": str(path),
                             "error": "".join(traceback.format_exception(exc))[-1500:]})
            continue
        if rc == 0:
            outcomes["ok"] += 1
        elif rc == 2 and "kinres error: " in err.getvalue():
            outcomes["input_error"] += 1
        else:
            failures.append({"mutant": k, "file": str(path),
                             "error": f"exit {rc}: {err.getvalue()[-800:]}"})
            continue
        if k % 2 == 0:  # `kinres validate` must not pass what the run then rejects
            verr = io.StringIO()
            try:
                with contextlib.redirect_stderr(verr), contextlib.redirect_stdout(io.StringIO()):
                    vrc = kinres_main(["-q", "validate", "--config", str(cfg)])
            except Exception as exc:  # noqa: BLE001
                failures.append({"mutant": k, "file": str(path), "error": "validate: " + "".join(
                    traceback.format_exception(exc))[-1500:]})
                continue
            if vrc == 0 and rc != 0:
                failures.append({"mutant": k, "file": str(path), "error": "validate passed but "
                                 f"the run failed: {err.getvalue()[-500:]}"})
            elif vrc not in (0, 2):
                failures.append({"mutant": k, "file": str(path),
                                 "error": f"validate exit {vrc}: {verr.getvalue()[-500:]}"})
            else:
                outcomes["validated"] = outcomes.get("validated", 0) + 1
    progress.write_text("done")
    print(json.dumps({"outcomes": outcomes, "failures": failures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
