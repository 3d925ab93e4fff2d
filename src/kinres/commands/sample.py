"""`kinres sample`: one patient's samples end to end in one process (the workflow's main job).

variants -> fusions -> cnv -> coverage -> interpret -> report for each sample, writing every
stage JSON (results/<sample>/<stage>.json) atomically as the single-stage commands do, so each
stage stays inspectable and the outputs are the same. One process per patient instead of one per
stage and sample: start-up (Python, imports, knowledge and panel tables) is paid once, and the
patient's samples see each other (timeline, cross-sample reasoning) without a second pass.

A sample that fails gets results/<sample>/FAILED.json with the error (kinres.failure); the
command then exits non-zero so the workflow records the failure and the batch lists it.
"""

from __future__ import annotations

import argparse
import logging
import traceback
from pathlib import Path

from kinres.errors import KinresError

HELP = ("run samples end to end (variants, fusions, cnv, coverage, interpret, report) in one "
        "process; the workflow runs one patient's samples per job")
log = logging.getLogger("kinres.sample")
VCF_SUFFIXES = (".vcf", ".vcf.gz", ".bcf", ".vcf.bgz")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, type=Path, help="config YAML")
    parser.add_argument("--rows", required=True, nargs="+", type=Path, metavar="JSON",
                        help="sample row files (results/.kinres/samples/<sample>.json, written "
                             "by the Snakefile from the validated sheet)")
    parser.add_argument("--results", required=True, type=Path,
                        help="results folder; sample outputs go to <results>/<sample_id>/")
    parser.add_argument("--pdf", dest="pdf", action="store_true", default=None,
                        help="also write report.pdf (default: config report.pdf; the workflow "
                             "renders PDFs in batches with `kinres pdf` instead)")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false")
    parser.add_argument("--reuse-dir", type=Path, default=None, metavar="DIR",
                        help="keep each patient's outputs here (hard links) and put them back "
                             "instead of recomputing when its rows, baselines, config and the "
                             "kinres code are byte-identical (the workflow passes "
                             "<results>/.kinres/reuse/samples; docs/scaling.md)")


class _Context:
    """What every sample of the job shares, loaded once."""

    def __init__(self, config):
        self.config = config
        self._panels: dict = {}
        self._kb = None

    def panel(self, build):
        if build not in self._panels:
            from kinres.annotate.transcripts import Panel

            self._panels[build] = Panel.load(build)
        return self._panels[build]

    def kb(self):
        if self._kb is None:
            from kinres.knowledge import load_knowledge
            from kinres.knowledge.settings import Settings as KnowledgeSettings

            self._kb = load_knowledge(
                KnowledgeSettings.from_mapping(self.config.section("knowledge")).path)
        return self._kb


def run_stages(sample, ctx: _Context, outdir: Path) -> dict[str, Path]:
    """The stage JSONs of one sample (only stages whose input the sample has)."""
    from kinres.serialize import write_json

    paths: dict[str, Path] = {}
    config = ctx.config
    if sample.vcf is not None:
        from kinres.commands.variants import build_result as variants_result

        paths["variants"] = outdir / "variants.json"
        write_json(paths["variants"], variants_result(sample, config, ctx.panel(sample.genome_build)))
        log.info("%s: variants -> %s", sample.sample_id, paths["variants"])
    if sample.fusions is not None:
        from kinres.commands.fusions import build_result as fusions_result
        from kinres.io.fusions import Settings as FusionSettings

        paths["fusions"] = outdir / "fusions.json"
        settings = FusionSettings.from_mapping(config.section("fusions"))
        write_json(paths["fusions"], fusions_result(sample, settings, ctx.panel(sample.genome_build)))
        log.info("%s: fusions -> %s", sample.sample_id, paths["fusions"])
    if sample.cnv is not None:
        from kinres.commands.cnv import build_result as cnv_result
        from kinres.interpret.cn_calls import Settings as CnvSettings

        paths["cnv"] = outdir / "cnv.json"
        write_json(paths["cnv"], cnv_result(sample, CnvSettings.from_mapping(config.section("cnv"))))
        log.info("%s: cnv -> %s", sample.sample_id, paths["cnv"])
    if sample.bam is not None:
        from kinres.commands.coverage import build_result as coverage_result

        paths["coverage"] = outdir / "coverage.json"
        write_json(paths["coverage"], coverage_result(sample, config, paths.get("variants"),
                                                      panel=ctx.panel(sample.genome_build)))
        log.info("%s: coverage -> %s", sample.sample_id, paths["coverage"])
    return paths


# the siblings' stages that patient-level reasoning reads (as `kinres interpret --patient-stages`)
PATIENT_STAGES = ("variants", "fusions", "cnv")


def _interpret(sample, stage_paths, ctx: _Context, outdir: Path, group, all_stage_paths,
               sheet_warnings=()) -> Path:
    """report.json of one sample; the patient's other samples' stage JSONs feed the
    patient-level reasoning (acquired vs pre-existing, discordance, baseline)."""
    from kinres.commands.interpret import interpret_sample, log_report
    from kinres.interpret.report_json import write_report
    from kinres.io.samplesheet import SampleSheet

    out = outdir / "report.json"
    siblings = [o for o in group if o.sample_id != sample.sample_id]
    patient_stages = [all_stage_paths[o.sample_id][st] for o in siblings for st in PATIENT_STAGES
                      if st in (all_stage_paths.get(o.sample_id) or {})]
    sheet = SampleSheet(Path(f"sample rows of patient {sample.patient_id}"), tuple(group))
    report = interpret_sample(sample, stage_paths, ctx.config, kb=ctx.kb(), sheet=sheet,
                              patient_stages=patient_stages, sheet_warnings=sheet_warnings)
    write_report(out, report)
    log_report(report, out)
    return out


def _render(sample, report_json: Path, siblings: list[Path], ctx: _Context, pdf, settings):
    from kinres.report.render import render_sample

    vcf = sample.vcf if sample.vcf and str(sample.vcf).lower().endswith(VCF_SUFFIXES) else None
    return render_sample(report_json, report_json.parent, vcf=vcf, pdf=pdf,
                         patient_reports=siblings, settings=settings)


def _patient_key(group, row_bytes: dict[str, bytes], config_path: Path, config, pdf) -> str:
    """Everything one patient's outputs are made from (kinres.reuse): its row files (which
    carry the input files' sizes and times), baseline report.json files given by path, the
    config, the knowledge tables it names, the PDF switch and the kinres code itself."""
    from kinres.cache import digest
    from kinres.knowledge.settings import Settings as KnowledgeSettings
    from kinres.reuse import code_fingerprint, folder_fingerprint

    parts: list[bytes | str] = ["patient-1", code_fingerprint(), config_path.read_bytes(),
                                repr(pdf)]
    parts.append(folder_fingerprint(
        KnowledgeSettings.from_mapping(config.section("knowledge")).path))
    for s in group:
        parts += [s.sample_id, row_bytes[s.sample_id]]
        baseline = getattr(s, "baseline", None)
        if baseline and str(baseline).lower().endswith(".json"):
            path = Path(baseline)
            parts.append(path.read_bytes() if path.is_file() else f"missing {baseline}")
    return digest(*parts)


def _written_files(stage_paths: dict[str, Path] | None, outputs) -> list[Path]:
    files = list((stage_paths or {}).values())
    if outputs is not None:
        files += [p for p in (outputs.report_json, outputs.html, outputs.alterations_tsv,
                              outputs.drug_calls_tsv, outputs.pdf, outputs.vcf) if p is not None]
    return files


REPORT_FILES = ("report.json", "report.html", "report.pdf", "alterations.tsv", "drug_calls.tsv")


def _remove_report_files(sample_id: str, outdir: Path) -> None:
    """A folder with FAILED.json holds no report file that could pass for complete (stage JSONs,
    the inspectable intermediates, stay)."""
    from kinres.report.render import safe_name

    for name in REPORT_FILES + (f"{safe_name(sample_id)}.kinres.vcf",):
        (outdir / name).unlink(missing_ok=True)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KinresError):
        return exc.message()
    return f"internal error ({type(exc).__name__}: {exc}); please report it with the log"


def run(args: argparse.Namespace) -> int:
    from kinres.config import load_config
    from kinres.failure import Failure, clear_failure, write_failure
    from kinres.io.sample_row import read_row
    from kinres.report.render import settings_from
    from kinres.reuse import ReuseStore

    config = load_config(args.config)
    rows = [read_row(p) for p in args.rows]
    row_bytes = {r.sample.sample_id: Path(p).read_bytes() for r, p in zip(rows, args.rows)}
    store = ReuseStore(getattr(args, "reuse_dir", None))
    samples = [r.sample for r in rows]
    warnings = {r.sample.sample_id: r.sheet_warnings for r in rows}
    ids = [s.sample_id for s in samples]
    if len(set(ids)) != len(ids):
        raise KinresError(f"kinres sample: a sample is given twice ({', '.join(ids)})")
    outdirs = {s.sample_id: args.results / s.sample_id for s in samples}
    for d in outdirs.values():
        clear_failure(d)
    ctx = _Context(config)
    settings = settings_from(args.config)
    failures: dict[str, tuple[str, BaseException]] = {}
    blocked: dict[str, str] = {}
    patients: dict[str, list] = {}
    for s in samples:
        patients.setdefault(s.patient_id, []).append(s)

    def attempt(sample, name, fn):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - recorded with the sample, re-raised below
            if not isinstance(exc, KinresError):
                log.error("%s: %s", sample.sample_id, traceback.format_exc())
            failures[sample.sample_id] = (name, exc)
            return None

    for pid, group in patients.items():
        key = None
        if store.root is not None:
            try:
                key = _patient_key(group, row_bytes, args.config, config, args.pdf)
            except OSError as exc:  # e.g. an unreadable baseline: computed (and reported) below
                log.debug("%s: no reuse key (%s)", pid, exc)
        if key is not None and store.restore(pid, key, args.results) is not None:
            log.info("%s: rows, config and code unchanged since its last run: earlier "
                     "outputs reused (%s)", pid, ", ".join(s.sample_id for s in group))
            continue
        # every sample's stages first: one bad input must not hide another sample's error
        stage_paths = {s.sample_id: attempt(s, "input", lambda s=s: run_stages(
            s, ctx, outdirs[s.sample_id])) for s in group}
        reports: dict[str, Path] = {}
        rendered: dict[str, object] = {}
        for step, fn in (("interpret", lambda s: _interpret(s, stage_paths[s.sample_id], ctx,
                                                            outdirs[s.sample_id], group,
                                                            stage_paths, warnings[s.sample_id])),
                         ("report", lambda s: _render(
                             s, reports[s.sample_id],
                             [reports[o.sample_id] for o in group if o.sample_id != s.sample_id],
                             ctx, args.pdf, settings))):
            if any(s.sample_id in failures for s in group):
                break
            for s in group:
                result = attempt(s, step, lambda s=s: fn(s))
                (reports if step == "interpret" else rendered)[s.sample_id] = result
        failed = [s.sample_id for s in group if s.sample_id in failures]
        if key is not None and not failed:
            store.save(pid, key, args.results,
                       [f for s in group for f in _written_files(stage_paths[s.sample_id],
                                                                 rendered.get(s.sample_id))])
        for s in group:
            if failed and s.sample_id not in failures:
                blocked[s.sample_id] = failed[0]
    if not failures:
        return 0
    for s in samples:
        if s.sample_id in failures:
            name, exc = failures[s.sample_id]
            failure = Failure(s.sample_id, s.patient_id, name, _error_text(exc))
        elif s.sample_id in blocked:
            name, exc = failures[blocked[s.sample_id]]
            failure = Failure(s.sample_id, s.patient_id, name, _error_text(exc),
                              blocked_by=blocked[s.sample_id])
        else:
            # another patient of this job failed: the workflow discards the whole job's
            # outputs, so say why this sample has none
            first = next(iter(failures))
            failure = Failure(s.sample_id, s.patient_id, "job", _error_text(failures[first][1]),
                              blocked_by=first, same_patient=False)
        _remove_report_files(s.sample_id, outdirs[s.sample_id])
        path = write_failure(outdirs[s.sample_id], failure)
        log.error("%s failed: %s (%s)", s.sample_id, failure.message, path)
    if len(failures) == 1:
        exc = next(iter(failures.values()))[1]
        if isinstance(exc, KinresError):
            raise exc
    raise KinresError("; ".join(f"{sid}: {_error_text(exc)}" for sid, (_, exc) in failures.items()))
